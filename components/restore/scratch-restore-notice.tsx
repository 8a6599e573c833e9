'use client';

/**
 * Where Txline cannot read the chosen cluster's backups (a Neo4j cluster's: its kind declares
 * artifactsUnreadableReason), the point step says so in place of the transaction search and the preview, and
 * offers what works instead: a restore into a scratch database beside the real one, to look at before
 * restoring for real. Txline's restore drills need backups it can read, so for such a cluster the offer is
 * the database page's "Restore as a new database" (seeding) or the command line to run.
 */
import { CopyCommand } from '@/components/ui/copy-command';
import { scratchName, scratchRestoreArgs } from '@/lib/dashboard/scratch-restore';
import type { RestoreValues } from './wizard-model';

export function ScratchRestoreNotice({ cluster, values }: { cluster: { name: string; location: string | null; unreadable: string }; values: RestoreValues }) {
  const untilTx = values.point === 'tx' && /^\d+$/.test(values.tx) ? Number(values.tx) : null;
  const db = values.database || 'neo4j';
  return (
    <section aria-labelledby="restore-scratch-heading" data-testid="scratch-restore-notice" className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <h3 id="restore-scratch-heading" className="font-medium">
        Txline cannot search {cluster.name}’s backups
      </h3>
      <p>{cluster.unreadable}</p>
      <p>
        To find the point, restore into a scratch database instead — a new database, <code className="font-mono">{scratchName(db)}</code>, beside {db} — look at it, then
        restore for real to the point you found. Txline’s restore drills need backups it can read, so use the database page’s “Restore as a new database”
        (it seeds the new database), or run it from the command line, and drop the scratch database when done.
      </p>
      <CopyCommand args={scratchRestoreArgs({ cluster: cluster.name, location: cluster.location, database: db, untilTx })} label="Copy scratch restore command" />
    </section>
  );
}
