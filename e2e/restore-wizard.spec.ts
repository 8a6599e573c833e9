/**
 * The restore wizard against `txline serve` and its embedded cluster (the workload writes to neo4j).
 *
 * neo4j first gets a full and a differential backup of its own (through the CLI into the server's backup
 * folder, as the dashboard's backup jobs would; the catalog indexes them), so that a transaction in the middle
 * of that chain is known. Then: restore to it as a new database and see the result's digest equal what every
 * member reports for that database; a point beyond every chain is refused on the point step; a taken name is
 * refused on the target step and replacing needs the name typed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { JobsPage } from './pages/jobs-page';
import { RestoreWizardPage } from './pages/restore-wizard-page';

const run = promisify(execFile);
const dataDir = process.env.TXLINE_E2E_DATA_DIR as string;

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
  members: Array<{ id: string; address: string; reachable: boolean; databases: Array<{ name: string; role: string; lastCommittedTxn: number }> }>;
}
interface Digest {
  lastCommittedTxn: number;
  nodes: number;
  relationships: number;
  contentHash: string;
}

/** The chain this spec makes: its full's tip and its differential's last transaction. */
let chain: { fullTip: number; diffTip: number; diffId: number };

async function cluster(request: APIRequestContext): Promise<ClusterBody> {
  const res = await request.get('/api/cluster');
  expect(res.ok()).toBe(true);
  return (await res.json()) as ClusterBody;
}

async function writerTx(request: APIRequestContext): Promise<number> {
  const c = await cluster(request);
  return c.members.flatMap((m) => m.databases).find((d) => d.name === 'neo4j' && d.role === 'writer')?.lastCommittedTxn ?? 0;
}

/** `txline database backup` into the server's backup folder; returns the artifact's file name. */
async function backup(type: 'full' | 'diff'): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['bin/txline.mjs', 'database', 'backup', `--to-path=${path.join(dataDir, 'backups')}`, `--type=${type}`, '--progress=jsonl', 'neo4j'],
    {
      env: { ...process.env, TXLINE_CLUSTER_FILE: path.join(dataDir, 'cluster', 'cluster.json'), TXLINE_CLUSTER_ADDRESSES: '', TXLINE_DATA_DIR: dataDir },
      timeout: 120_000,
    },
  );
  const result = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event?: string; results?: Array<{ ok: boolean; type: string; artifact?: string; error?: string }> })
    .find((l) => l.event === 'result');
  const r = result?.results?.[0];
  expect(r?.ok, `the ${type} backup failed: ${r?.error ?? stdout}`).toBe(true);
  expect(r?.type).toBe(type);
  return r?.artifact as string;
}

async function indexed(request: APIRequestContext, file: string): Promise<TimelineArtifact | undefined> {
  const res = await request.get('/api/databases/neo4j/timeline?limit=5000');
  if (!res.ok()) return undefined;
  const body = (await res.json()) as TimelineBody;
  return body.timeline.generations.flatMap((g) => g.artifacts).find((a) => a.file === file);
}

/** A full-page screenshot kept in the test's output folder (test-results/<test>/<name>.png). */
async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  const full = await backup('full');
  const afterFull = await writerTx(request);
  // Let the workload write a few dozen transactions, so that the differential has a middle.
  await expect.poll(() => writerTx(request), { timeout: 60_000, intervals: [500] }).toBeGreaterThan(afterFull + 30);
  const diff = await backup('diff');
  // The server indexes the folder on its own (every 15 s).
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
  chain = { fullTip: (f as TimelineArtifact).tipTx, diffTip: (d as TimelineArtifact).highestTx, diffId: (d as TimelineArtifact).id };
  expect(chain.diffTip - chain.fullTip).toBeGreaterThan(10);
});

test('restores neo4j to a transaction in the middle of a chain as a new database; the digest matches the cluster', async ({ page, request }, info) => {
  test.setTimeout(240_000);
  const wizard = new RestoreWizardPage(page);
  const until = chain.fullTip + Math.floor((chain.diffTip - chain.fullTip) / 2) + 1;
  const name = `restored-${Math.random().toString(36).slice(2, 8)}`;

  // 1: database and folder
  await wizard.goto();
  await expect(wizard.heading).toBeVisible();
  await expect(wizard.currentStepperItem).toContainText('Database');
  await wizard.database.selectOption('neo4j');
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
  await shot(page, info, '4-review');
  await wizard.startButton.click();

  // 5: live progress, then 6: the result
  await expect(wizard.wizard).toHaveAttribute('data-step', /progress|result/);
  await shot(page, info, '5-progress');
  await expect(wizard.wizard).toHaveAttribute('data-step', 'result', { timeout: 180_000 });
  await expect(wizard.outcome).toHaveAttribute('data-status', 'succeeded');
  await expect(wizard.currentStepperItem).toContainText('Result');
  await shot(page, info, '6-result');

  const shown: Digest = {
    lastCommittedTxn: await wizard.resultNumber('result-last-tx'),
    nodes: await wizard.resultNumber('result-nodes'),
    relationships: await wizard.resultNumber('result-relationships'),
    contentHash: (await wizard.resultValue('result-content-hash').innerText()).trim(),
  };
  expect(shown.lastCommittedTxn).toBe(until - 1);
  expect(shown.contentHash).toMatch(/^[0-9a-f]{64}$/);
  expect(await wizard.resultNumber('result-replayed')).toBe(replay);

  // Every member serves the new database with that very content.
  const members = (await cluster(request)).members.filter((m) => m.reachable);
  expect(members.length).toBeGreaterThan(0);
  for (const m of members) {
    await expect
      .poll(
        async () => {
          const res = await request.get(`http://${m.address}/db/${name}/digest`);
          return res.ok() ? ((await res.json()) as Digest) : { status: res.status() };
        },
        { message: `${m.id} should hold ${name} at transaction ${until - 1}`, timeout: 60_000, intervals: [1000] },
      )
      .toEqual(shown);
  }

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
  await shot(page, info, '8-job');
});

test('a restore point beyond every chain is explained on the point step, and the wizard stays there', async ({ page }, info) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: 'neo4j' });
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
  await expect(wizard.database).toHaveValue('neo4j');
});

test('a taken name is refused on the target step; replacing needs the name typed, and a wrong one is refused', async ({ page, request }, info) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto({ database: 'neo4j' });
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await wizard.pointChoice('The latest backup').check();
  await expect(wizard.plan).toBeVisible();
  await wizard.next.click();

  // A new database named like one the cluster has.
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await wizard.newName.fill('neo4j');
  await wizard.next.click();
  await expect(wizard.fieldError('newName')).toContainText('already exists');
  await expect(wizard.newName).toHaveAccessibleDescription(/already exists/);
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');

  // Replace instead: the review asks for the name.
  await wizard.targetChoice('Replace neo4j').check();
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await expect(wizard.confirm).toBeVisible();
  await expect(wizard.startButton).toHaveText('Replace neo4j');
  await wizard.confirm.fill('neo4j-typo');
  await wizard.startButton.click();
  await expect(wizard.fieldError('confirm')).toContainText('type "neo4j" to confirm');
  await expect(wizard.confirm).toHaveAccessibleDescription(/type "neo4j" to confirm/);
  await expect(wizard.wizard).toHaveAttribute('data-step', 'review');
  await shot(page, info, 'replace-wrong-confirmation');

  // Nothing was started on neo4j.
  const res = await request.get('/api/jobs?database=neo4j&status=running');
  expect(((await res.json()) as { jobs: Array<{ kind: string }> }).jobs.filter((j) => j.kind === 'restore')).toEqual([]);

  // Back goes to the target step with the choice kept.
  await wizard.back.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'target');
  await expect(wizard.targetChoice('Replace neo4j')).toBeChecked();
});
