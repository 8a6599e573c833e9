'use client';

/**
 * A txline command line as the CLI would take it (each argument quoted for a POSIX shell where it needs
 * to be), with "Copy CLI command": what a job runs, or what a restore would run, to keep or to run by hand.
 */
import { useState } from 'react';

/** An argument as a POSIX shell reads it back unchanged: bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(args: readonly string[]): string {
  return ['txline', ...args].map(shellQuote).join(' ');
}

export function CopyCommand({ args, label = 'Copy CLI command' }: { args: readonly string[]; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const line = commandLine(args);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(line);
      setCopied('yes');
    } catch {
      // no clipboard (an insecure origin, or refused): the line is shown above to select by hand
      setCopied('no');
    }
  };
  return (
    <div className="space-y-1" data-testid="cli-command">
      <code className="block break-all rounded-md border border-zinc-200 bg-zinc-50 px-2 py-1 font-mono text-xs dark:border-zinc-800 dark:bg-zinc-900" data-testid="cli-command-line">
        {line}
      </code>
      <div className="flex items-center gap-2">
        <button
          type="button"
          onClick={() => void copy()}
          className="rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {label}
        </button>
        <span role="status" aria-live="polite" className="text-xs text-zinc-600 dark:text-zinc-400">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'The browser refused the clipboard: select the line above.' : ''}
        </span>
      </div>
    </div>
  );
}
