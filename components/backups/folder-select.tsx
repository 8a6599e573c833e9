'use client';

/**
 * The backup folder a page shows (?folder=ID): a GET form (next/form: a client navigation, and a plain
 * one before hydration); choosing a folder navigates at once.
 */
import Form from 'next/form';
import { usePathname } from 'next/navigation';
import { useId } from 'react';
import { withNote } from '@/lib/format';

export function FolderSelect({ folders, current, keep = {} }: { folders: Array<{ id: number; name: string; path: string }>; current: number; keep?: Record<string, string> }) {
  const id = useId();
  const pathname = usePathname();
  if (folders.length < 2) {
    const f = folders.find((x) => x.id === current);
    return f ? (
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="backup-folder">
        Backup folder <span className="font-medium text-zinc-900 dark:text-zinc-100">{f.name}</span>{' '}
        <code className="font-mono text-xs break-all">{f.path}</code>
      </p>
    ) : null;
  }
  return (
    <Form action={pathname} className="flex min-w-0 flex-wrap items-center gap-2 text-sm" data-testid="backup-folder">
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <label htmlFor={id} className="text-zinc-600 dark:text-zinc-400">
        Backup folder
      </label>
      <select
        id={id}
        name="folder"
        defaultValue={String(current)}
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
        className="min-w-0 max-w-full rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
      >
        {folders.map((f) => (
          <option key={f.id} value={f.id}>
            {withNote(f.name, f.path)}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="rounded-md border border-zinc-300 px-2 py-1 dark:border-zinc-700">
          Show
        </button>
      </noscript>
    </Form>
  );
}
