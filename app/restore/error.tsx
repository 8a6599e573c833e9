'use client';

/** The restore page failed to render: say so, keep the shell, offer to try again. A started restore keeps running. */
import Link from 'next/link';

export default function RestoreError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <h1 className="text-base font-semibold">The restore wizard failed to load</h1>
      <p className="mt-2">{error.message || 'An unexpected error occurred.'}</p>
      {error.digest ? <p className="mt-1 font-mono text-xs opacity-75">digest {error.digest} (details in the server log)</p> : null}
      <p className="mt-2">
        A restore that was already started keeps running: follow it on the{' '}
        <Link href="/jobs" className="underline">
          Jobs
        </Link>{' '}
        page.
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
      >
        Try again
      </button>
    </div>
  );
}
