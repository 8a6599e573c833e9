import Link from 'next/link';

export default function JobNotFound() {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 dark:border-zinc-700 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold">No such job</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        It may never have existed, or the catalog was rebuilt.{' '}
        <Link href="/jobs" className="text-teal-700 underline dark:text-teal-400">
          See every job
        </Link>
        .
      </p>
    </div>
  );
}
