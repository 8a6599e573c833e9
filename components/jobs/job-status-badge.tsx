import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { JobStatus } from '@/lib/db/schema';

/** A cancel is the user's own choice (neutral); an interruption (the server restarted) deserves a look. */
const STATUS_TONE: Record<JobStatus, BadgeTone> = { running: 'info', succeeded: 'good', failed: 'bad', cancelled: 'neutral', interrupted: 'warn' };

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span data-testid="job-status" data-status={status}>
      <Badge tone={STATUS_TONE[status]}>{status}</Badge>
    </span>
  );
}
