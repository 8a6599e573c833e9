/** How the thresholds editor shows each condition's fields (lib/alerts/rules.ts holds their checks). */
import type { AlertCondition } from '@/lib/db/schema';

export const FIELD_TEXT: Record<AlertCondition, Array<{ name: string; label: string; hint: string; optional: boolean }>> = {
  rpo: [{ name: 'hours', label: 'RPO (hours)', hint: 'Empty: from the schedule (its longest gap plus up to 2 h), else 26 h.', optional: true }],
  job_failed: [{ name: 'failures', label: 'Failures in a row', hint: 'Failed or interrupted jobs of one kind since the last success.', optional: false }],
  lag: [
    { name: 'transactions', label: 'Transactions behind', hint: 'Empty: not watched.', optional: true },
    { name: 'seconds', label: 'Seconds behind', hint: 'Since the writer committed what the member lacks. Empty: not watched.', optional: true },
    { name: 'minutes', label: 'For minutes', hint: 'How long a member stays over before it fires (0: at once).', optional: false },
  ],
  fallback: [{ name: 'margin', label: 'Margin (transactions)', hint: 'Warn this many transactions before the chain’s end is pruned (0: when it is).', optional: false }],
  storage: [
    { name: 'maxBytes', label: 'Backups over (bytes)', hint: 'The database’s artifacts in all locations. Empty: not watched.', optional: true },
    { name: 'minFreeBytes', label: 'Free space under (bytes)', hint: 'Of each local folder holding them. Empty: not watched.', optional: true },
  ],
  drill: [{ name: 'failures', label: 'Failed drills in a row', hint: 'Restore drills of the database.', optional: false }],
};
