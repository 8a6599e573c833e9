import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { JobStatus } from '@/lib/db/schema';

const TONE: Record<JobStatus, BadgeTone> = { running: 'info', succeeded: 'good', failed: 'bad', cancelled: 'neutral', interrupted: 'warn' };

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span data-testid="job-status" data-status={status}>
      <Badge tone={TONE[status]}>{status}</Badge>
    </span>
  );
}
