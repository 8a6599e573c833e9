/**
 * A chain's health as a badge: verified (every link checked), unverified, broken, or no backups. The tones
 * follow the risk: no backups at all and a broken chain are the worst (red), unverified is a warning (amber).
 */
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { ChainHealth } from '@/lib/dashboard/timeline';

const HEALTH: Record<ChainHealth | 'none', { tone: BadgeTone; label: string; title: string }> = {
  verified: { tone: 'good', label: 'verified', title: 'Every artifact of the latest chain passed verification' },
  unverified: { tone: 'warn', label: 'unverified', title: 'The latest chain is intact but not every artifact has been verified' },
  broken: { tone: 'bad', label: 'broken', title: 'The latest chain has a missing or damaged link: it cannot be restored to its end' },
  none: { tone: 'bad', label: 'no backups', title: 'No backups of this database in this folder: it cannot be restored' },
};

export function HealthBadge({ health }: { health: ChainHealth | 'none' }) {
  const h = HEALTH[health];
  return (
    <span title={h.title} data-testid="chain-health" data-health={health}>
      <Badge tone={h.tone}>{h.label}</Badge>
    </span>
  );
}
