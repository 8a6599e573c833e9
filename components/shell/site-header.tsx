import Link from 'next/link';
import { logoutAction } from '@/app/account/actions';
import { currentCaller } from '@/lib/server/auth';
import { alertCounts } from '@/lib/alerts/store';
import { serverContext } from '@/lib/server/context';
import { AlertsBadge } from './alerts-badge';
import { SiteNav } from './site-nav';

export async function SiteHeader() {
  const caller = await currentCaller();
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2">
        <Link href="/" className="flex items-center gap-2 text-base font-semibold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 32 32" className="size-6">
            <rect width="32" height="32" rx="6" className="fill-teal-700" />
            <path d="M6 22h20M9 22V12m7 10V8m7 14v-6" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
          </svg>
          Txline
        </Link>
        {caller && !caller.mustChangePassword && <SiteNav isAdmin={caller.role === 'admin'} />}
        {caller && (
          <div className="ml-auto flex items-center gap-3 text-sm">
            {!caller.mustChangePassword ? <AlertsBadge initial={alertCounts(serverContext().db)} /> : null}
            <Link href="/account" className="text-zinc-700 hover:underline dark:text-zinc-300" data-testid="signed-in-as">
              {caller.username}
              {caller.username.toLowerCase() === caller.role ? null : <span className="text-zinc-500"> ({caller.role})</span>}
            </Link>
            <form action={logoutAction}>
              <button type="submit" className="rounded-md border border-zinc-300 px-2.5 py-1 text-zinc-700 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800">
                Sign out
              </button>
            </form>
          </div>
        )}
      </div>
    </header>
  );
}
