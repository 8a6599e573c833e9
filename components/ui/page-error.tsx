'use client';

/**
 * What a page's error boundary (an error.tsx under app/) shows in place of the page, inside the shell: a title, the
 * error's message (and its digest: the server log has the details), what the user can do about it (`children`,
 * a paragraph) and "Try again", which re-renders the page.
 */
import type { ReactNode } from 'react';

export interface PageErrorProps {
  error: Error & { digest?: string };
  reset: () => void;
}

export function PageErrorPanel({ title, error, reset, children }: PageErrorProps & { title: string; children?: ReactNode }) {
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <h1 className="text-base font-semibold">{title}</h1>
      <p className="mt-2">{error.message || 'An unexpected error occurred.'}</p>
      {error.digest ? <p className="mt-1 font-mono text-xs opacity-75">digest {error.digest} (details in the server log)</p> : null}
      {children ? <p className="mt-2">{children}</p> : null}
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
