/**
 * The restore wizard against `txline serve` and its embedded cluster.
 *
 * A database of its own, `ledger`, that nothing else writes to: 10 transactions, a full backup taken on its
 * database page, 10 more (the writer's digest is recorded at that transaction, K), 15 more, and a differential
 * taken on the page. Then, through the wizard: restore until K + 1 as a new database and see the result's digest
 * equal the writer's digest at K (and every member serve it); a point beyond every chain is refused on the
 * point step; a taken name is refused on the target step; replacing needs the name typed, a wrong one is
 * refused, and the right one restores ledger itself back to K on every member. Screenshots of each step.
 */
import { expect, test, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test';
import { DatabasePage } from './pages/database-page';
import { JobsPage } from './pages/jobs-page';
import { RestoreWizardPage } from './pages/restore-wizard-page';
import { memberHeaders } from './support/server';
import { ADMIN_STATE } from './support/users';

const DB = 'ledger';
const JOB_TIMEOUT = 120_000;

interface TimelineArtifact {
  id: number;
  file: string;
  full: boolean;
  lowestTx: number;
  highestTx: number;
  tipTx: number;
  chainProblem: string | null;
}
interface TimelineBody {
  timeline: { generations: Array<{ artifacts: TimelineArtifact[] }>; restorable: Array<{ fromTx: number; toTx: number }> };
}
interface ClusterBody {
  members: Array<{ id: string; address: string; reachable: boolean; databases: Array<{ name: string; role: string; status: string; lastCommittedTxn: number }> }>;
}
interface Digest {
  lastCommittedTxn: number;
  nodes: number;
  relationships: number;
  contentHash: string;
}

/** The chain this spec makes: its full's tip, its differential, and the writer's digest at transaction k. */
let chain: { fullTip: number; diffTip: number; diffId: number; k: number; atK: Digest };

async function cluster(request: APIRequestContext): Promise<ClusterBody> {
  const res = await request.get('/api/cluster');
  expect(res.ok()).toBe(true);
  return (await res.json()) as ClusterBody;
}

/** The writer's address (the member that writes neo4j; new databases are created there). */
async function writerAddress(request: APIRequestContext): Promise<string> {
  const c = await cluster(request);
  const w = c.members.find((m) => m.databases.some((d) => d.name === 'neo4j' && d.role === 'writer'));
  expect(w, 'the cluster should have a writer').toBeDefined();
  return (w as ClusterBody['members'][number]).address;
}

/** Waits until every member serves `db` online at transaction `tx` (as the dashboard's collector sees it). */
async function converged(request: APIRequestContext, db: string, tx: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const c = await cluster(request);
        return c.members.map((m) => m.databases.find((d) => d.name === db)).map((d) => (d && d.status === 'online' ? d.lastCommittedTxn : -1));
      },
      { message: `every member should hold ${db} at transaction ${tx}`, timeout: 60_000, intervals: [500] },
    )
    .toEqual([tx, tx, tx]);
}

/** Commits `n` transactions of one node each to `db` on the writer; returns the last transaction ID. */
async function write(request: APIRequestContext, writer: string, n: number, from: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < n; i++) {
    const res = await request.post(`http://${writer}/db/${DB}/tx`, {
      headers: memberHeaders(),
      data: { ops: [{ op: 'createNode', labels: ['Entry'], properties: { n: from + i, text: `entry ${from + i}` } }] },
    });
    expect(res.ok(), await res.text()).toBe(true);
    last = ((await res.json()) as { txId: number }).txId;
  }
  return last;
}

async function digestOn(request: APIRequestContext, address: string, db: string): Promise<Digest | { status: number }> {
  const res = await request.get(`http://${address}/db/${db}/digest`, { headers: memberHeaders() });
  return res.ok() ? ((await res.json()) as Digest) : { status: res.status() };
}

async function indexed(request: APIRequestContext, file: string): Promise<TimelineArtifact | undefined> {
  const res = await request.get(`/api/databases/${DB}/timeline?limit=5000`);
  if (!res.ok()) return undefined;
  const body = (await res.json()) as TimelineBody;
  return body.timeline.generations.flatMap((g) => g.artifacts).find((a) => a.file === file);
}

/** A full-page screenshot kept in the test's output folder and attached to the report. */
async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** Follows a backup job in the database page's recent jobs until it ends; answers the artifact it wrote. */
async function backupFromPage(db: DatabasePage, type: 'Full' | 'Differential'): Promise<string> {
  const started = await db.startBackup(type);
  const row: Locator = db.jobRow((await started.getAttribute('data-job-id')) as string);
  await expect(row, `the ${type} backup should end`).toHaveAttribute('data-status', /^(succeeded|failed|cancelled|interrupted)$/, { timeout: JOB_TIMEOUT });
  expect(await row.getAttribute('data-status'), await row.innerText()).toBe('succeeded');
  const file = await row.getAttribute('data-artifact');
  expect(file).toMatch(new RegExp(`^${DB}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}.*\\.backup$`));
  return file as string;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser, request }) => {
  test.setTimeout(300_000);
  const writer = await writerAddress(request);
  const created = await request.post(`http://${writer}/admin/databases`, { headers: memberHeaders(), data: { name: DB } });
  expect(created.ok(), await created.text()).toBe(true);
  const a = await write(request, writer, 10, 0);
  await converged(request, DB, a);

  // The full and the differential are taken in the browser, on the database's page.
  const context = await browser.newContext({ storageState: ADMIN_STATE });
  const page = await context.newPage();
  const db = new DatabasePage(page, DB);
  await db.goto();
  await expect(db.heading).toBeVisible();
  const full = await backupFromPage(db, 'Full');

  const k = await write(request, writer, 10, 10);
  // nothing else writes to ledger: the writer's digest now is the state at transaction k
  const atK = (await digestOn(request, writer, DB)) as Digest;
  expect(atK.lastCommittedTxn).toBe(k);
  const b = await write(request, writer, 15, 20);
  await converged(request, DB, b);
  await page.reload();
  const diff = await backupFromPage(db, 'Differential');
  await context.close();

  // The catalog indexes both when their jobs end.
  let f: TimelineArtifact | undefined;
  let d: TimelineArtifact | undefined;
  await expect
    .poll(
      async () => {
        f = await indexed(request, full);
        d = await indexed(request, diff);
        return Boolean(f && d);
      },
      { message: `the catalog should index ${full} and ${diff}`, timeout: 60_000, intervals: [1000] },
    )
    .toBe(true);
  expect(d?.chainProblem).toBeNull();
  expect(f?.tipTx).toBe(a);
  expect(d).toMatchObject({ full: false, lowestTx: a + 1, highestTx: b });
  chain = { fullTip: a, diffTip: b, diffId: (d as TimelineArtifact).id, k, atK };
});

test('restores ledger until a transaction in the middle of its chain as a new database: the digest is the writer\'s at that transaction', async ({ page, request }, info) => {
  test.setTimeout(240_000);
  const wizard = new RestoreWizardPage(page);
  // the middle of the differential: the state after transaction k, whose digest the writer gave
  const until = chain.k + 1;
  expect(chain.fullTip < chain.k && chain.k < chain.diffTip).toBe(true);
  const name = `restored-${Math.random().toString(36).slice(2, 8)}`;

  // 1: database and folder
  await wizard.goto();
  await expect(wizard.heading).toBeVisible();
  await expect(wizard.currentStepperItem).toContainText('Database');
  await wizard.database.selectOption(DB);
  await expect(wizard.folder).toHaveValue(/\d+/);
  await shot(page, info, '1-database');
  await wizard.next.click();

  // 2: the point, a transaction in the middle of the chain; the plan shows what it uses
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await expect(wizard.stepHeading).toBeFocused();
  await expect(wizard.timeline).toBeVisible();
  await wizard.pointChoice('A transaction ID').check();
  await wizard.txInput.fill(String(until));
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(until - 1));
  const replay = await wizard.planValue('plan-tx-to-replay');
  expect(replay).toBeGreaterThan(0);
  await expect(wizard.plan.getByTestId('plan-chain').getByRole('listitem').first()).toContainText('full');
  await expect(page.getByTestId('timeline-marker')).toHaveAttribute('data-tx', String(until - 1));
  // one numbering: the box keeps restore-until (exclusive) and says where the database ends; the allowed range
  // is given both ways; the slider is named for what it moves, the state the database ends at
  await expect(page.getByTestId('restore-tx-ends')).toHaveText(`The database will end at transaction ${until - 1}.`);
  await expect(wizard.txInput).toHaveAccessibleDescription(new RegExp(`will end at transaction ${until - 1}.*Allowed: restore until \\d+ – \\d+ \\(the database ends at transaction \\d+ – \\d+\\)`));
  await expect(page.getByRole('textbox', { name: 'Restore until transaction' })).toHaveCount(1);
  await expect(page.getByLabel('Restore until transaction')).toHaveCount(1);
  const slider = page.getByRole('slider', { name: 'Where the database ends, on the timeline' });
  await expect(slider).toHaveValue(String(until - 1));
  await expect(page.getByTestId('restorable-ranges')).toContainText(/the database ends at transaction \d+ – \d+ \(restore until \d+ – \d+\)/);
  await shot(page, info, '2-point');
  await wizard.next.click();

  // 3: a new database
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await expect(wizard.targetChoice('A new database')).toBeChecked();
  await wizard.newName.fill(name);
  await shot(page, info, '3-target');
  await wizard.next.click();

  // 4: review (no confirmation needed for a new database)
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await expect(wizard.reviewTarget).toHaveText(name);
  await expect(wizard.confirm).toHaveCount(0);
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(until - 1));
  // the command the restore will run, to copy
  await expect(page.getByTestId('cli-command-line')).toContainText(`txline database restore`);
  await expect(page.getByTestId('cli-command-line')).toContainText(`--restore-until=${until}`);
  await expect(page.getByRole('button', { name: 'Copy CLI command' })).toBeVisible();
  await shot(page, info, '4-review');
  await wizard.startButton.click();

  // 5: live progress, then 6: the result
  await expect(wizard.wizard).toHaveAttribute('data-step', /progress|result/);
  await shot(page, info, '5-progress');
  await expect(wizard.wizard).toHaveAttribute('data-step', 'result', { timeout: 180_000 });
  await expect(wizard.outcome).toHaveAttribute('data-status', 'succeeded');
  await expect(wizard.currentStepperItem).toContainText('Result');
  await expect(wizard.outcome.getByTestId('result-took')).toHaveText(/^[\d.]+ s$|^\d+ min/);
  await expect(wizard.outcome.getByTestId('result-bytes')).toHaveText(/^[\d.,]+ (B|KiB|MiB|GiB)$/);
  await shot(page, info, '6-result');

  const shown: Digest = {
    lastCommittedTxn: await wizard.resultNumber('result-last-tx'),
    nodes: await wizard.resultNumber('result-nodes'),
    relationships: await wizard.resultNumber('result-relationships'),
    contentHash: (await wizard.resultValue('result-content-hash').innerText()).trim(),
  };
  expect(shown.contentHash).toMatch(/^[0-9a-f]{64}$/);
  // what the wizard shows is what the writer had at transaction k, content and all
  expect(shown).toEqual(chain.atK);
  expect(await wizard.resultNumber('result-replayed')).toBe(replay);
  expect(replay).toBe(chain.k - chain.fullTip);

  // Every member serves the new database with that very content.
  const members = (await cluster(request)).members.filter((m) => m.reachable);
  expect(members.length).toBe(3);
  for (const m of members) {
    await expect
      .poll(() => digestOn(request, m.address, name), { message: `${m.id} should hold ${name} at transaction ${until - 1}`, timeout: 60_000, intervals: [1000] })
      .toEqual(chain.atK);
  }

  // The audit entry of the start names the source, the point (both ways) and the target; the backups' starts
  // name their type and source member.
  await page.goto('/admin/audit?action=restore.start&outcome=ok');
  const started = page.locator(`[data-testid="audit-row"][data-target="database=${name} from=${DB}"]`);
  await expect(started).toHaveCount(1);
  await expect(started).toContainText(`restore ${DB} from folder`);
  await expect(started).toContainText(`until transaction ${until} (exclusive); the database ends at transaction ${until - 1}`);
  await expect(started).toContainText(`into ${name} on`);
  await expect(started).toContainText('(a new database)');
  await page.goto('/admin/audit?action=backup.start&outcome=ok');
  const backups = page.locator(`[data-testid="audit-row"][data-target^="database=${DB} "]`);
  await expect(backups.filter({ hasText: /: full backup; source member chosen by the cluster/ })).toHaveCount(1);
  await expect(backups.filter({ hasText: /: differential backup; source member chosen by the cluster/ })).toHaveCount(1);

  // The jobs page lists the restore; its page has the log and the same digest.
  const jobs = new JobsPage(page);
  await jobs.goto({ database: name });
  await expect(jobs.heading).toBeVisible();
  await expect(jobs.rows).toHaveCount(1);
  const row = jobs.rows.first();
  await expect(row).toHaveAttribute('data-kind', 'restore');
  await expect(row.getByTestId('job-status')).toHaveAttribute('data-status', 'succeeded');
  await expect(row.getByTestId('job-exit-code')).toHaveText('0');
  await jobs.goto();
  await expect(jobs.rows.first()).toBeVisible();
  await shot(page, info, '7-jobs');
  await jobs.goto({ database: name });
  await row.getByRole('link').first().click();
  await expect(jobs.detail).toHaveAttribute('data-status', 'succeeded');
  await expect(jobs.log).toContainText(`Restored ${name} at transaction ${until - 1}`);
  await expect(jobs.detail.getByTestId('result-content-hash')).toHaveText(shown.contentHash);
  // parameters and result as labelled fields, the raw JSON behind a disclosure; the status line says when it ended
  const params = jobs.detail.getByTestId('job-fields-parameters');
  await expect(params.locator('[data-field="point"]')).toContainText('Restore pointa transaction ID');
  await expect(params.locator('[data-field="tx"]')).toContainText(String(until));
  await expect(params.getByRole('region', { name: 'Parameters (raw JSON)' })).toBeHidden();
  await params.getByText('Raw JSON').click();
  await expect(params.getByRole('region', { name: 'Parameters (raw JSON)' })).toContainText('"point": "tx"');
  await expect(jobs.detail.getByTestId('job-fields-result').locator('[data-field="restoredTx"]')).toContainText(`Database ends at transaction${until - 1}`);
  await expect(jobs.detail.getByTestId('job-status-line')).toHaveText(/^Ended \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC after [\d.]+ (s|min)/);
  await expect(jobs.detail).not.toContainText('Finished: succeeded');
  await shot(page, info, '8-job');
});

test('a restore point beyond every chain is explained on the point step, and the wizard stays there', async ({ page }, info) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: DB });
  // A link naming the database opens on the restore point.
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await wizard.pointChoice('A transaction ID').check();
  const beyond = chain.diffTip + 10_000_000;
  await wizard.txInput.fill(String(beyond));
  await wizard.txInput.press('Enter'); // Enter in a field is Next
  await expect(wizard.fieldError('tx')).toContainText('outside every backup chain');
  await expect(wizard.txInput).toHaveAttribute('aria-invalid', 'true');
  await expect(wizard.txInput).toHaveAccessibleDescription(/outside every backup chain/);
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await expect(wizard.plan).toHaveCount(0);
  await expect(page.getByText('No restore can be planned for this choice')).toBeVisible();
  await shot(page, info, 'point-outside-chain');

  // So is a time after every backup; a chain's latest restorable time (offered under the field) is fine.
  await wizard.pointChoice('A time (UTC)').check();
  await wizard.timeInput.fill('2999-01-01 00:00:00');
  await wizard.next.click();
  await expect(wizard.fieldError('time')).toContainText('outside every backup chain');
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await page.getByRole('button', { name: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/ }).last().click();
  await expect(wizard.fieldError('time')).toHaveText('');
  await expect(wizard.plan).toBeVisible();

  // A point inside the chain clears the message and lets the wizard go on.
  await wizard.pointChoice('A transaction ID').check();
  await wizard.txInput.fill(String(chain.diffTip + 1));
  await expect(wizard.fieldError('tx')).toHaveText('');
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(chain.diffTip));
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
});

test('a link from a backup opens the wizard on that backup, with its chain as the plan', async ({ page }) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ artifact: chain.diffId });
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await expect(wizard.pointChoice('A backup')).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Backup', exact: true })).toHaveValue(String(chain.diffId));
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(chain.diffTip));
  await expect(wizard.plan.getByTestId('plan-chain').getByRole('listitem')).toHaveCount(2);
  // Back reaches the first step with the database filled in.
  await wizard.back.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'source');
  await expect(wizard.database).toHaveValue(DB);
});

test('a taken name is refused on the target step; replacing needs the name typed: a wrong one is refused, the right one restores over ledger', async ({ page, request }, info) => {
  test.setTimeout(240_000);
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: DB });
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await wizard.pointChoice('A transaction ID').check();
  await wizard.txInput.fill(String(chain.k + 1));
  await expect(wizard.plan.getByTestId('plan-target-tx')).toHaveAttribute('data-value', String(chain.k));
  await wizard.next.click();

  // A new database named like one the cluster has.
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await wizard.newName.fill(DB);
  await wizard.next.click();
  await expect(wizard.fieldError('newName')).toContainText('already exists');
  await expect(wizard.newName).toHaveAccessibleDescription(/already exists/);
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');

  // Replace instead: the review asks for the name.
  await wizard.targetChoice(`Replace ${DB}`).check();
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await expect(wizard.confirm).toBeVisible();
  await expect(wizard.startButton).toHaveText(`Replace ${DB}`);
  await wizard.confirm.fill(`${DB}-typo`);
  await wizard.startButton.click();
  await expect(wizard.fieldError('confirm')).toContainText(`type "${DB}" to confirm`);
  await expect(wizard.confirm).toHaveAccessibleDescription(new RegExp(`type "${DB}" to confirm`));
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await shot(page, info, 'replace-wrong-confirmation');

  // Nothing was started on ledger, which is still at its last transaction everywhere.
  const running = await request.get(`/api/jobs?database=${DB}&status=running`);
  expect(((await running.json()) as { jobs: Array<{ kind: string }> }).jobs.filter((j) => j.kind === 'restore')).toEqual([]);
  for (const m of (await cluster(request)).members) expect(await digestOn(request, m.address, DB)).toMatchObject({ lastCommittedTxn: chain.diffTip });

  // Back goes to the target step with the choice kept; forward again, and the right name replaces ledger.
  await wizard.back.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await expect(wizard.targetChoice(`Replace ${DB}`)).toBeChecked();
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await wizard.confirm.fill(DB);
  await shot(page, info, 'replace-confirmed');
  await wizard.startButton.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'result', { timeout: 180_000 });
  await expect(wizard.outcome).toHaveAttribute('data-status', 'succeeded');
  await shot(page, info, 'replace-result');
  const shown: Digest = {
    lastCommittedTxn: await wizard.resultNumber('result-last-tx'),
    nodes: await wizard.resultNumber('result-nodes'),
    relationships: await wizard.resultNumber('result-relationships'),
    contentHash: (await wizard.resultValue('result-content-hash').innerText()).trim(),
  };
  expect(shown).toEqual(chain.atK);
  // ledger itself is back at transaction k, with the writer's content of then, on every member
  for (const m of (await cluster(request)).members) {
    await expect
      .poll(() => digestOn(request, m.address, DB), { message: `${m.id} should hold ${DB} as it was at transaction ${chain.k}`, timeout: 60_000, intervals: [1000] })
      .toEqual(chain.atK);
  }
});
