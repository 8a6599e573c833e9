/**
 * The restore wizard's point step by cluster kind (rendered on the server, as its first paint): for a cluster
 * whose backups Txline reads, the transaction search and the comparison with the newest point; for a Neo4j
 * cluster (its kind declares its artifacts unreadable), neither, but the reason and the restore into a scratch
 * database to run instead, with the point chosen so far.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PointStep } from '@/components/restore/point-step';
import type { RestoreValues } from '@/components/restore/wizard-model';
import { clusterKind } from '@/lib/sources';

const values: RestoreValues = { clusterId: '2', folderId: '1', database: 'shop', point: 'tx', artifactId: '', tx: '128', time: '', targetMode: 'new', newName: '', confirm: '' };

function render(cluster: { id: number; name: string; unreadable: string | null; location: string | null }): string {
  const step = createElement(PointStep, { values, update: () => {}, errors: {}, timeline: undefined, timelineError: null, preview: null, checking: false, pointAccepted: true, cluster });
  return renderToStaticMarkup(createElement(QueryClientProvider, { client: new QueryClient() }, step));
}

describe('the point step by cluster kind', () => {
  it('searches and compares where Txline reads the backups', () => {
    const html = render({ id: 2, name: 'embedded', unreadable: clusterKind('txline').artifactsUnreadableReason ?? null, location: null });
    expect(html).toContain('data-testid="transaction-search"');
    expect(html).toContain('Find the transaction that did the damage');
    expect(html).toContain('Compared with the newest point');
    expect(html).not.toContain('scratch-restore-notice');
  });

  it("offers a scratch-database restore instead for a Neo4j cluster's backups", () => {
    const reason = clusterKind('neo4j').artifactsUnreadableReason;
    expect(reason).toMatch(/Neo4j's own format/);
    const html = render({ id: 2, name: 'prod', unreadable: reason ?? null, location: '/srv/neo4j-backups' });
    expect(html).toContain('data-testid="scratch-restore-notice"');
    expect(html).not.toContain('data-testid="transaction-search"');
    expect(html).not.toContain('Compared with the newest point');
    expect(html).toContain('txline database restore --cluster=prod --from-path=/srv/neo4j-backups --from-database=shop --restore-until=128 shop-scratch');
  });
});
