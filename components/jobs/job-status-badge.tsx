import { Badge } from '@/components/ui/badge';
import type { JobStatus } from '@/lib/db/schema';
import { STATUS_TONE } from './job-format';

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span data-testid="job-status" data-status={status}>
      <Badge tone={STATUS_TONE[status]}>{status}</Badge>
    </span>
  );
}
