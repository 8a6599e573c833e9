'use client';

/** A database page that failed to render: what happened, a retry, and a way back to the list. */
import Link from 'next/link';

export default function DatabaseError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <h1 className="text-base font-semibold">This database&apos;s page failed to render</h1>
      <p className="mt-2">{error.message || 'An unexpected error occurred.'}</p>
      {error.digest ? <p className="mt-1 font-mono text-xs opacity-75">digest {error.digest} (details in the server log)</p> : null}
      <div className="mt-4 flex gap-3">
        <button
          type="button"
          onClick={reset}
          className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
        >
          Try again
        </button>
        <Link href="/databases" className="rounded-md border border-red-300 px-3 py-1.5 font-medium hover:bg-red-100 dark:border-red-800 dark:hover:bg-red-900">
          All databases
        </Link>
      </div>
    </div>
  );
}
