'use client';

/**
 * A job's log: monospace, scrollable, reachable by keyboard (the region takes focus so arrow keys scroll it).
 * While the job runs it follows the end, unless the reader has scrolled up.
 */
import { useEffect, useRef } from 'react';

export function JobLog({ log, follow, label = 'Job log', className = 'max-h-96' }: { log: string; follow: boolean; label?: string; className?: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && follow && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [log, follow]);
  if (!log.trim()) return <p className="text-sm text-zinc-500 dark:text-zinc-400">The job has written nothing to its log yet.</p>;
  return (
    <pre
      ref={ref}
      tabIndex={0}
      role="region"
      aria-label={label}
      data-testid="job-log"
      onScroll={(e) => {
        const el = e.currentTarget;
        atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
      className={`${className} overflow-auto whitespace-pre-wrap break-words rounded-lg border border-zinc-200 bg-zinc-950 p-3 font-mono text-xs leading-relaxed text-zinc-100 outline-none focus-visible:ring-2 focus-visible:ring-teal-500 dark:border-zinc-800`}
    >
      {log}
    </pre>
  );
}
