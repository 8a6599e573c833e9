import Link from 'next/link';
import { SiteNav } from './site-nav';

export function SiteHeader() {
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
        <Link href="/" className="flex items-center gap-2 text-base font-semibold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 32 32" className="size-6">
            <rect width="32" height="32" rx="6" className="fill-teal-700" />
            <path d="M6 22h20M9 22V12m7 10V8m7 14v-6" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
          </svg>
          Txline
        </Link>
        <SiteNav />
      </div>
    </header>
  );
}
