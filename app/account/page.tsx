import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { ChangePasswordForm } from '@/components/auth/change-password-form';
import { requireCaller } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ required?: string }> }) {
  await connection();
  const caller = await requireCaller('/account');
  const { required } = await searchParams;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your account</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Signed in as <strong data-testid="account-username">{caller.username}</strong> with the role <strong data-testid="account-role">{caller.role}</strong>.
        </p>
      </div>
      {(required || caller.mustChangePassword) && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
          You must change your password before you can use Txline (the first password was set for you).
        </p>
      )}
      <section aria-labelledby="pw-heading" className="space-y-3">
        <h2 id="pw-heading" className="text-lg font-semibold">
          Change your password
        </h2>
        <ChangePasswordForm />
      </section>
      {!caller.mustChangePassword && (
        <p className="text-sm">
          <Link href="/" className="text-teal-700 underline dark:text-teal-400">
            Back to the overview
          </Link>
        </p>
      )}
    </div>
  );
}
