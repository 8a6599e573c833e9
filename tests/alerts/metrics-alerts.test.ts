/**
 * `txline_alerts_firing{alert}` in /api/metrics' text: its HELP and TYPE lines before any alert, then one sample
 * per condition counting open episodes (firing and acknowledged; resolved ones are not counted).
 */
import { describe, expect, it } from 'vitest';
import { alertKey } from '../../lib/alerts/conditions';
import { acknowledgeAlert, applyFindings } from '../../lib/alerts/store';
import { openCatalog } from '../../lib/db';
import { txlineMetrics } from '../../lib/server/metrics';

const finding = (condition: 'rpo' | 'lag', database: string, firing: boolean) => ({ key: alertKey(condition, 'embedded', database), condition, cluster: 'embedded', database, firing, value: 1, threshold: 0, message: `${condition} ${database}` });

describe('txline_alerts_firing', () => {
  it('is exported with HELP and TYPE before its first sample, then counts open episodes per condition', async () => {
    const db = openCatalog(':memory:');
    const empty = (await txlineMetrics(db)).body;
    expect(empty).toContain('# HELP txline_alerts_firing ');
    expect(empty).toContain('# TYPE txline_alerts_firing gauge');
    expect(empty).not.toMatch(/^txline_alerts_firing\{/m);

    const now = Date.now();
    const fired = applyFindings(db, [finding('rpo', 'neo4j', true), finding('rpo', 'other', true), finding('lag', 'neo4j', true)], now);
    expect(fired.map((e) => e.state)).toEqual(['firing', 'firing', 'firing']);
    acknowledgeAlert(db, { id: fired[0].alert.id, by: 'op' }, now + 1);
    applyFindings(db, [finding('lag', 'neo4j', false)], now + 2); // resolves the lag episode
    const body = (await txlineMetrics(db)).body;
    expect(body).toContain('txline_alerts_firing{alert="rpo"} 2');
    expect(body).not.toContain('txline_alerts_firing{alert="lag"}');
    db.$client.close();
  });
});
