/**
 * Find the point, then restore (issue 14), in the browser against `txline serve` and its embedded cluster.
 *
 * A database of its own, `markers`: a few entries and a full backup taken on its page, then five :Marker nodes
 * (one transaction each), one transaction that deletes them all (the damage), one more write, and a
 * differential. In the wizard's point step: a bad match is refused with the grammar's message; the search
 * "deleted:Marker" (typed, then Enter) finds exactly the deleting transaction; picking it sets "until that
 * transaction" (the database ends one before it); the comparison says the five markers are there and not now;
 * the restore into a new database brings every marker back (read from the writer's member API). The point step
 * with results fits a phone.
 */
import { expect, test, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test';
import { DatabasePage } from './pages/database-page';
import { RestoreWizardPage } from './pages/restore-wizard-page';
import { memberHeaders } from './support/server';
import { ADMIN_STATE } from './support/users';

const DB = 'markers';
const MARKERS = 5;
const JOB_TIMEOUT = 120_000;

interface ClusterBody {
  members: Array<{ id: string; address: string; reachable: boolean; databases: Array<{ name: string; role: string; status: string; lastCommittedTxn: number }> }>;
}
interface TimelineBody {
  timeline: { generations: Array<{ artifacts: Array<{ file: string; chainProblem: string | null }> }> };
}

let tx: { damage: number; after: number };
let writer: string;

async function cluster(request: APIRequestContext): Promise<ClusterBody> {
  const res = await request.get('/api/cluster');
  expect(res.ok()).toBe(true);
  return (await res.json()) as ClusterBody;
}

async function commit(request: APIRequestContext, ops: unknown[]): Promise<{ txId: number; ids: Record<string, number> }> {
  const res = await request.post(`http://${writer}/db/${DB}/tx`, { headers: memberHeaders(), data: { ops } });
  expect(res.ok(), await res.text()).toBe(true);
  return (await res.json()) as { txId: number; ids: Record<string, number> };
}

async function converged(request: APIRequestContext, tip: number): Promise<void> {
  await expect
    .poll(async () => (await cluster(request)).members.map((m) => m.databases.find((d) => d.name === DB)?.lastCommittedTxn ?? -1), {
      message: `every member should hold ${DB} at transaction ${tip}`,
      timeout: 60_000,
      intervals: [500],
    })
    .toEqual([tip, tip, tip]);
}

/** Takes a backup on the database's page and follows its job until it ends; answers the artifact's file. */
async function backupFromPage(page: Page, type: 'Full' | 'Differential'): Promise<string> {
  const db = new DatabasePage(page, DB);
  await db.goto();
  await expect(db.heading).toBeVisible();
  const started = await db.startBackup(type);
  const row: Locator = db.jobRow((await started.getAttribute('data-job-id')) as string);
  await expect(row, `the ${type} backup should end`).toHaveAttribute('data-status', /^(succeeded|failed|cancelled|interrupted)$/, { timeout: JOB_TIMEOUT });
  expect(await row.getAttribute('data-status'), await row.innerText()).toBe('succeeded');
  return (await row.getAttribute('data-artifact')) as string;
}

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser, request }) => {
  test.setTimeout(300_000);
  const c = await cluster(request);
  const w = c.members.find((m) => m.databases.some((d) => d.name === 'neo4j' && d.role === 'writer'));
  expect(w, 'the cluster should have a writer').toBeDefined();
  writer = (w as ClusterBody['members'][number]).address;
  const created = await request.post(`http://${writer}/admin/databases`, { headers: memberHeaders(), data: { name: DB } });
  expect(created.ok(), await created.text()).toBe(true);
  let tip = 0;
  for (let i = 0; i < 3; i++) tip = (await commit(request, [{ op: 'createNode', labels: ['Entry'], properties: { n: i } }])).txId;
  await converged(request, tip);

  const context = await browser.newContext({ storageState: ADMIN_STATE });
  const page = await context.newPage();
  const full = await backupFromPage(page, 'Full');
  const markers: number[] = [];
  for (let i = 0; i < MARKERS; i++) markers.push((await commit(request, [{ op: 'createNode', ref: '$m', labels: ['Marker'], properties: { tag: `m${i}` } }])).ids.$m);
  await commit(request, [{ op: 'createNode', labels: ['Entry'], properties: { n: 3 } }]);
  const damage = (await commit(request, markers.map((id) => ({ op: 'deleteNode', node: id })))).txId;
  const after = (await commit(request, [{ op: 'createNode', labels: ['Entry'], properties: { n: 4 } }])).txId;
  await converged(request, after);
  const diff = await backupFromPage(page, 'Differential');
  await context.close();
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/databases/${DB}/timeline?limit=5000`);
        if (!res.ok()) return [];
        return ((await res.json()) as TimelineBody).timeline.generations.flatMap((g) => g.artifacts.map((a) => a.file));
      },
      { message: `the catalog should index ${full} and ${diff}`, timeout: 60_000, intervals: [1000] },
    )
    .toEqual(expect.arrayContaining([full, diff]));
  tx = { damage, after };
});

test('finds the transaction that deleted the markers by search, previews the point before it, and restores there: every marker is back', async ({ page, request }, info) => {
  test.setTimeout(240_000);
  const wizard = new RestoreWizardPage(page);
  const name = `found-${Math.random().toString(36).slice(2, 8)}`;
  await wizard.goto({ database: DB });
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');

  // a match the grammar refuses is said so, with its message
  await wizard.searchMatch.fill('destroyed:Marker');
  await wizard.searchMatch.press('Enter');
  await expect(wizard.searchError).toContainText('unknown condition "destroyed"');
  // Enter searched; it did not submit the wizard's Next
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');

  // the search, by keyboard: exactly the deleting transaction
  await wizard.searchMatch.fill('deleted:Marker');
  await wizard.searchMatch.press('Enter');
  await expect(wizard.searchResults).toHaveCount(1);
  const found = wizard.searchResults.first();
  await expect(found).toHaveAttribute('data-tx', String(tx.damage));
  await expect(found.getByTestId('transaction-changes')).toHaveText(`deleted ${MARKERS} nodes`);
  await expect(found).toContainText(':Marker');
  await expect(wizard.searchError).toHaveCount(0);

  // the same search within a range that ends before the damage finds nothing
  await wizard.searchTo.fill(String(tx.damage - 1));
  await wizard.searchTo.press('Enter');
  await expect(page.getByText('No transaction matches deleted:Marker in this range.')).toBeVisible();
  await wizard.searchTo.fill('');
  await wizard.searchMatch.press('Enter');
  await expect(wizard.searchResults).toHaveCount(1);

  // pick it (by keyboard): restore until it, the database ends one before it
  await wizard.restoreBefore(tx.damage).focus();
  await page.keyboard.press('Enter');
  await expect(wizard.restoreBefore(tx.damage)).toHaveAttribute('aria-pressed', 'true');
  await expect(wizard.pointChoice('A transaction ID')).toBeChecked();
  await expect(wizard.txInput).toHaveValue(String(tx.damage));
  await expect(page.getByTestId('restore-tx-ends')).toHaveText(`The database will end at transaction ${tx.damage - 1}.`);
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(tx.damage - 1));

  // the comparison with the newest point: the markers are there, not now
  await expect(wizard.pointPreview).toBeVisible({ timeout: 60_000 });
  await expect(wizard.pointPreview).toHaveAttribute('data-at-tx', String(tx.damage - 1));
  await expect(wizard.pointPreview.getByTestId('point-preview-sentences')).toContainText(
    `at tx ${tx.damage - 1}: ${MARKERS} :Marker nodes more than now (${MARKERS} then, 0 at tx ${tx.after})`,
  );
  await expect(wizard.pointPreview.locator('[data-testid="point-preview-row"][data-name=":Marker"]')).toHaveAttribute('data-difference', String(MARKERS));
  await shot(page, info, 'point-found-and-previewed');
  await wizard.next.click();

  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await expect(wizard.targetChoice('A new database')).toBeChecked();
  await wizard.newName.fill(name);
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await expect(page.getByTestId('cli-command-line')).toContainText(`--restore-until=${tx.damage}`);
  await wizard.startButton.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'result', { timeout: 180_000 });
  await expect(wizard.outcome).toHaveAttribute('data-status', 'succeeded');
  expect(await wizard.resultNumber('result-last-tx')).toBe(tx.damage - 1);

  // every marker is back in the new database, as the writer serves it
  const res = await request.get(`http://${writer}/db/${name}/nodes?label=Marker`, { headers: memberHeaders() });
  expect(res.ok(), await res.text()).toBe(true);
  const rows = (await res.json()) as Array<{ labels: string[]; properties: { tag?: string } }>;
  expect(rows.map((r) => r.properties.tag).sort()).toEqual(Array.from({ length: MARKERS }, (_, i) => `m${i}`));
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test('the point step with search results and the comparison fits the screen', async ({ page }, info) => {
    const wizard = new RestoreWizardPage(page);
    await wizard.goto({ database: DB });
    await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
    await wizard.searchMatch.fill('label:Marker');
    await wizard.searchMatch.press('Enter');
    await expect(wizard.searchResults).toHaveCount(MARKERS + 1);
    await wizard.restoreBefore(tx.damage).click();
    await expect(wizard.pointPreview).toBeVisible({ timeout: 60_000 });
    await shot(page, info, 'point-phone');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `the document is ${width} px wide on a 390 px screen`).toBeLessThanOrEqual(390);
  });
});
