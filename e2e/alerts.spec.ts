/**
 * Alerts in the browser: an admin sets neo4j's RPO very low on the alerts page, sees the alert fire (in the firing
 * list, the header's badge count up by one, the overview's card marked), acknowledges it (who is shown, the badge
 * count back down), and puts the defaults back. Webhook targets: a metadata URL is refused under its field; a
 * target on a loopback receiver gets "Send test" and the delivery log shows it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

test('an alert fires on a low threshold, is acknowledged, and the badge count follows', async ({ page }) => {
  await page.goto('/alerts?database=neo4j');
  const badge = page.getByTestId('alerts-badge');
  await expect(badge).toBeVisible();
  const before = Number(await badge.getAttribute('data-firing'));

  const rpo = page.locator('[data-testid="rule-form"][data-condition="rpo"]');
  await rpo.getByLabel('RPO (hours)').fill('0.0001');
  await rpo.getByRole('button', { name: 'Save' }).click();
  await expect(rpo.getByTestId('form-status')).toContainText('Saved.');

  const firing = page.getByTestId('alerts-firing').locator('[data-testid="alert"][data-alert="rpo"][data-database="neo4j"]');
  await expect(async () => {
    await page.reload();
    await expect(firing).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(badge).toHaveAttribute('data-firing', String(before + 1));
  await expect(badge).toHaveAccessibleName(`Alerts: ${before + 1} firing`);

  // the overview marks neo4j in trouble
  await page.goto('/');
  await expect(page.locator('[data-testid="database-card"][data-database="neo4j"]').getByTestId('database-alerts')).toContainText('firing');

  await page.goto('/alerts?database=neo4j');
  await page.getByTestId('alerts-firing').getByRole('button', { name: 'Acknowledge No successful backup within the RPO on neo4j' }).click();
  const acked = page.getByTestId('alerts-acknowledged').locator('[data-testid="alert"][data-alert="rpo"][data-database="neo4j"]');
  await expect(acked).toBeVisible();
  await expect(acked.getByTestId('acknowledged-by')).toHaveText('admin');
  await expect(badge).toHaveAttribute('data-firing', String(before));

  // the defaults back: the RPO is not exceeded any more, and the alert resolves
  const own = page.locator('[data-testid="rule-form"][data-condition="rpo"]');
  await own.getByRole('button', { name: 'Use the defaults' }).click();
  await expect(own.getByTestId('form-status')).toContainText('Back to the defaults.');
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('alerts-resolved').locator('[data-testid="alert"][data-alert="rpo"][data-database="neo4j"]').first()).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
});

test('webhook targets: a metadata URL is refused, a loopback receiver gets the test', async ({ page }) => {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await page.goto('/alerts');
    const form = page.getByRole('form', { name: 'Add a webhook target' });
    await form.getByLabel('Name').fill('metadata');
    await form.getByLabel('URL').fill('http://0xA9FEA9FE/latest/meta-data/');
    await form.getByRole('button', { name: 'Add target' }).click();
    await expect(form.getByTestId('field-error-url')).toContainText('link-local');

    const name = `receiver-${Date.now().toString(36)}`;
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('URL').fill(`http://127.0.0.1:${port}/hook`);
    await form.getByLabel('Secret (optional)').fill('e2e-signing-secret');
    await form.getByRole('button', { name: 'Add target' }).click();
    await expect(form.getByTestId('form-status')).toContainText(`Webhook target ${name} added.`);
    const target = page.getByTestId('webhook-target').filter({ hasText: name });
    await expect(target).toContainText('signed');
    await expect(page.getByTestId('webhooks')).not.toContainText('e2e-signing-secret');

    await target.getByRole('button', { name: `Send test to ${name}` }).click();
    await expect(target.getByTestId('webhook-status')).toContainText('The test was delivered (HTTP 204');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].body)).toMatchObject({ alert: 'test', state: 'test' });
    expect(got[0].headers['x-txline-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    await page.reload();
    await expect(page.getByTestId('delivery-log')).toContainText('test');

    await page.getByTestId('webhook-target').filter({ hasText: name }).getByRole('button', { name: `Remove ${name}` }).click();
    await expect(page.getByTestId('webhook-target').filter({ hasText: name })).toHaveCount(0);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
