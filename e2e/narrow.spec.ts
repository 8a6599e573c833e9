/**
 * Phones (390×844, issue 17): the overview, a database's page, the restore wizard and the cluster page fit the
 * screen (no document wider than the viewport) and show no text below 10 px; the chain timeline stays
 * readable and touchable (bars at least 16 px tall, labels legible); the members tables show lag first on
 * stacked rows; the wizard's stepper stays on one line. A full backup of neo4j is taken first (from the
 * database page's form, on the phone) so that the timeline and the wizard have something to show.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { ClusterPage } from './pages/cluster-page';
import { DatabasePage } from './pages/database-page';
import { OverviewPage } from './pages/overview-page';
import { RestoreWizardPage } from './pages/restore-wizard-page';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

const MIN_TEXT_PX = 10;

/** What does not fit: the document's width beyond the viewport, and every visible text smaller than 10 px. */
async function fitProblems(page: Page): Promise<{ scrollWidth: number; viewport: number; tiny: string[] }> {
  return page.evaluate((min) => {
    const tiny: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || !el) continue;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue; // hidden, or visually hidden for screen readers (sr-only)
      if (el.closest('[aria-hidden="true"][hidden], details:not([open]) > :not(summary), option, select')) continue;
      let size = parseFloat(s.fontSize);
      // SVG text is drawn at its font size times the scale of its user space
      if (el instanceof SVGElement && el.ownerSVGElement) {
        const m = (el as unknown as SVGGraphicsElement).getScreenCTM?.();
        if (m) size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      }
      if (size < min - 0.01) tiny.push(`${size.toFixed(1)} px: "${text.slice(0, 40)}" <${el.tagName.toLowerCase()} class="${(el.getAttribute('class') ?? '').slice(0, 60)}">`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, tiny: [...new Set(tiny)].slice(0, 20) };
  }, MIN_TEXT_PX);
}

async function expectFits(page: Page, info: TestInfo, name: string): Promise<void> {
  // let live parts (charts, polls) render first
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
  const p = await fitProblems(page);
  // the screen's width as set, not window.innerWidth: a mobile browser widens its layout viewport to the content
  const screen = page.viewportSize()?.width ?? 390;
  expect.soft(p.scrollWidth, `${name}: the document is ${p.scrollWidth} px wide on a ${screen} px screen (innerWidth ${p.viewport})`).toBeLessThanOrEqual(screen);
  expect.soft(p.tiny, `${name}: text below ${MIN_TEXT_PX} px`).toEqual([]);
}

test('a full backup of neo4j from the database page, on a phone', async ({ page }, info) => {
  test.setTimeout(180_000);
  const db = new DatabasePage(page, 'neo4j');
  await db.goto();
  await expect(db.heading).toBeVisible();
  await expectFits(page, info, 'database-before');
  const started = await db.startBackup('Full');
  const row = db.jobRow((await started.getAttribute('data-job-id')) as string);
  await expect(row).toHaveAttribute('data-status', /^(succeeded|failed|cancelled|interrupted)$/, { timeout: 120_000 });
  expect(await row.getAttribute('data-status'), await row.innerText()).toBe('succeeded');
});

test('the overview fits a phone, and its members table shows lag first on stacked rows', async ({ page }, info) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.members).toHaveCount(3);
  await expect(overview.databaseCard('neo4j')).toBeVisible();
  await expectFits(page, info, 'overview');
  const row = overview.database('member-3', 'neo4j');
  const lag = await row.getByTestId('replication-lag').boundingBox();
  const last = await row.getByTestId('last-committed-txn').boundingBox();
  const role = await row.getByTestId('database-role').boundingBox();
  expect(lag && last && role, 'lag, last tx and role should be shown').toBeTruthy();
  if (!lag || !last || !role) return;
  expect(lag.x + lag.width, 'the lag is on the screen, not in a sideways scroller').toBeLessThanOrEqual(390);
  expect(last.x + last.width).toBeLessThanOrEqual(390);
  expect(lag.y, 'lag comes first in the stacked row').toBeLessThanOrEqual(Math.min(last.y, role.y));
});

test("a database's page fits a phone, and its timeline is readable and touchable", async ({ page }, info) => {
  const db = new DatabasePage(page, 'neo4j');
  await db.goto();
  await expect(db.heading).toBeVisible();
  const bar = db.timeline.locator('[data-testid="artifact-bar"]').first();
  await expect(bar).toBeVisible();
  await expectFits(page, info, 'database');
  const box = await bar.boundingBox();
  expect(box?.height ?? 0, 'a bar is tall enough to touch').toBeGreaterThanOrEqual(16);
  expect(box?.width ?? 0, 'a bar is wide enough to touch').toBeGreaterThanOrEqual(16);
  await bar.tap();
  await expect(db.details).toBeVisible();
});

test('the restore wizard fits a phone, with its stepper on one line', async ({ page }, info) => {
  const wizard = new RestoreWizardPage(page);
  await wizard.goto();
  await expect(wizard.heading).toBeVisible();
  await expectFits(page, info, 'wizard-source');
  const tops = await wizard.stepper.locator('li').evaluateAll((items) => items.map((li) => Math.round(li.getBoundingClientRect().top)));
  expect(new Set(tops).size, `the stepper's steps should be on one line (tops: ${tops.join(', ')})`).toBe(1);
  await wizard.database.selectOption('neo4j');
  await wizard.next.click();
  await expect(wizard.wizard).toHaveAttribute('data-step', 'point');
  await expect(wizard.timeline).toBeVisible();
  await expectFits(page, info, 'wizard-point');
});

test('the cluster page fits a phone, and its members table shows lag first', async ({ page }, info) => {
  const cluster = new ClusterPage(page);
  await cluster.goto();
  await expect(cluster.memberRows).toHaveCount(3);
  await expect(cluster.lagChart).toBeVisible();
  await expectFits(page, info, 'cluster');
  const row = cluster.memberRow('member-3');
  const lag = await row.getByTestId('member-lag').boundingBox();
  const last = await row.getByTestId('member-last-committed').boundingBox();
  expect(lag && last).toBeTruthy();
  if (!lag || !last) return;
  expect(lag.x + lag.width).toBeLessThanOrEqual(390);
  expect(lag.y).toBeLessThanOrEqual(last.y);
});
