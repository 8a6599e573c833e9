/**
 * The storage locations in the catalog (folders, and `s3://bucket/prefix`): path or URL, whether it is the default, what the indexer found and when it
 * last scanned. Removing one only makes the catalog forget it: the files stay where they are.
 */
import { Badge } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import { formatNumber } from '@/lib/format';
import { RemoveButton } from './remove-button';

export interface FolderItem {
  id: number;
  name: string;
  path: string;
  isDefault: boolean;
  lastScanAt: number | null;
  lastScanError: string | null;
  artifacts: number;
  databases: number;
}

/** An `s3://bucket/prefix` location (its URL never holds credentials: such a URL is refused when added). */
function isObjectStorage(p: string): boolean {
  return /^s3:\/\//i.test(p);
}

export function FolderList({ folders }: { folders: FolderItem[] }) {
  if (folders.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No backup folder is registered. Add one below.</p>;
  }
  return (
    <ul aria-label="Backup folders" className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
      {folders.map((f) => (
        <li key={f.id} data-testid="folder-item" data-name={f.name} className="flex flex-wrap items-start justify-between gap-4 px-4 py-3">
          <div className="min-w-0 space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-semibold">{f.name}</span>
              {f.isDefault ? <Badge tone="info">default</Badge> : null}
              {isObjectStorage(f.path) ? <Badge tone="info">S3</Badge> : null}
              <span className="text-xs text-zinc-500 dark:text-zinc-400">
                {formatNumber(f.artifacts)} {f.artifacts === 1 ? 'backup' : 'backups'} of {formatNumber(f.databases)}{' '}
                {f.databases === 1 ? 'database' : 'databases'}
              </span>
            </div>
            <div className="break-all font-mono text-xs text-zinc-600 dark:text-zinc-400" data-testid="folder-path">
              {f.path}
            </div>
            <div className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="folder-scan">
              {f.lastScanAt === null ? 'not scanned yet' : <>last scanned <UtcTime value={f.lastScanAt} /></>}
            </div>
            {f.lastScanError ? (
              <p className="text-xs text-red-700 dark:text-red-400" data-testid="folder-scan-error">
                {f.lastScanError}
              </p>
            ) : null}
          </div>
          {f.isDefault ? (
            <p className="text-xs text-zinc-500 dark:text-zinc-400">New backups go here: the default folder cannot be removed.</p>
          ) : (
            <RemoveButton target={{ kind: 'folder', id: f.id, name: f.name }}>
              {isObjectStorage(f.path) ? (
                <p>
                  The catalog forgets this location and its {formatNumber(f.artifacts)} {f.artifacts === 1 ? 'backup' : 'backups'}. The
                  objects in <span className="break-all font-mono">{f.path}</span> stay in the bucket; add the location again to see them.
                </p>
              ) : (
                <p>
                  The catalog forgets this folder and its {formatNumber(f.artifacts)} {f.artifacts === 1 ? 'backup' : 'backups'}. The
                  files in <span className="break-all font-mono">{f.path}</span> stay on disk; add the folder again to see them.
                </p>
              )}
            </RemoveButton>
          )}
        </li>
      ))}
    </ul>
  );
}
