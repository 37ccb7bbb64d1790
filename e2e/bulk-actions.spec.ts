import { DescribeThingCommand, IoTClient } from '@aws-sdk/client-iot';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEMO_CREDENTIALS, DEMO_REGION } from '../scripts/sim/config';
import { DEMO_MEMBERS, DEMO_ORG } from '../scripts/seed';
import { db } from './db';
import { AuthPages } from './pages/auth-pages';
import { DeviceBulkPage } from './pages/device-bulk-page';

/**
 * A bulk action on a small filtered selection of the demo fleet: the dry run's count, then the
 * operation run by the real worker, its progress bar to completion and the per-device report.
 */
const [OPERATOR, VIEWER] = DEMO_MEMBERS;
const slug = DEMO_ORG.slug;
// Ten things: sensor-000010 … sensor-000019.
const QUERY = '?q=sensor-00001';

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function signIn(page: Page, email: string, password: string) {
  await new AuthPages(page).signIn(email, password);
  await expect(page).not.toHaveURL(/\/login/);
}

test('an operator sets an attribute on a filtered selection: dry run, progress, report', async ({ page }, testInfo) => {
  const value = `bulk-${Date.now().toString(36)}`;
  const selected = await db()<{ thing_name: string }[]>`
    select d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${slug} and d.removed_at is null and d.thing_name like 'sensor-00001%' order by d.thing_name`;
  expect(selected).toHaveLength(10);

  await signIn(page, OPERATOR.email, OPERATOR.password);
  const bulk = new DeviceBulkPage(page);
  await bulk.open(slug, QUERY);
  await expect(page.getByTestId('filter-summary')).toContainText('matches “sensor-00001”');
  await expect(bulk.selectionCount()).toHaveText('10 devices (10 in AWS simulator)');

  // Invalid input is explained before anything runs.
  await bulk.fill('Set an attribute', 'e2e bulk', value);
  await page.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByText('Attribute names use letters, digits and _.,@/:#[]-')).toBeVisible();
  await expect(page.getByTestId('dry-run')).toHaveCount(0);

  await bulk.fill('Set an attribute', 'e2eBulk', value);
  await bulk.dryRun();
  await expect(bulk.dryRunCount()).toHaveText('10');
  await expect(page.getByTestId('dry-run')).toContainText(`Set attribute e2eBulk = ${value}`);
  await expect(page.getByTestId('dry-run')).toContainText('10 in AWS simulator');
  await snap(page, testInfo, 'bulk-dry-run-desktop');
  expect(await db()`select 1 from public.bulk_operations where key = 'e2eBulk'`).toHaveLength(0);

  await bulk.runButton().click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/devices/bulk/[0-9a-f-]{36}$`));
  await expect(bulk.progress()).toBeVisible();
  await expect(bulk.status()).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(bulk.progress()).toHaveAttribute('aria-valuenow', '100');
  await expect(bulk.counter('succeeded')).toHaveText('10');
  await expect(bulk.counter('failed')).toHaveText('0');
  await expect(bulk.items('succeeded')).toHaveCount(10);
  await snap(page, testInfo, 'bulk-report-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, testInfo, 'bulk-report-mobile');

  // AWS and the cache hold the new value on every selected device.
  const iot = new IoTClient({ endpoint: process.env.FLEETLINE_AWS_SIM_ENDPOINT!, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });
  try {
    for (const { thing_name } of selected) {
      expect((await iot.send(new DescribeThingCommand({ thingName: thing_name }))).attributes?.e2eBulk, thing_name).toBe(value);
    }
  } finally {
    iot.destroy();
  }
  const cached = await db()`
    select count(*)::int as n from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${slug} and d.attributes->>'e2eBulk' = ${value}`;
  expect(cached[0]!.n).toBe(10);
  const audit = await db()`select action from public.audit_log where target_type = 'bulk_operation' and details->>'key' = 'e2eBulk' order by id`;
  expect(audit.map((a) => a.action)).toContain('bulk_operation.queued');
});

test('a viewer sees the selection but no bulk action controls', async ({ page }) => {
  await signIn(page, VIEWER.email, VIEWER.password);
  const bulk = new DeviceBulkPage(page);
  await bulk.open(slug, QUERY);
  await expect(bulk.selectionCount()).toHaveText('10 devices (10 in AWS simulator)');
  await expect(page.getByTestId('read-only-note')).toContainText('bulk actions need the operator role');
  await expect(page.getByRole('button', { name: 'Dry run' })).toHaveCount(0);
  await expect(page.getByLabel('Change')).toHaveCount(0);
});
