import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { safeRedirectPath } from '@/lib/auth/redirect';
import { currentCaller } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await currentCaller()) redirect('/');
  return (
    <div className="mx-auto mt-12 max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-xl font-semibold tracking-tight">Sign in to Txline</h1>
      <p className="mb-5 mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        On the first start the user is <code>admin</code>; its password is TXLINE_ADMIN_PASSWORD, or the one printed once on the server&apos;s console.
      </p>
      <LoginForm next={safeRedirectPath(next)} />
    </div>
  );
}
