import { expect, test, type Page, type Response, type TestInfo } from '@playwright/test';
import { DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { AuthPages } from './pages/auth-pages';
import { TelemetryPage } from './pages/telemetry-page';

/**
 * Telemetry charts on the demo fleet (Timestream of the stack's simulator): a device's chart redraws
 * with the bucket count its range and bin give, the fleet chart covers the synced devices, a custom
 * range is entered with the keyboard, and empty and error states show. Times are UTC in the browser.
 */
test.use({ timezoneId: 'UTC' });

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function signIn(page: Page) {
  await new AuthPages(page).signIn(DEMO_USER.email, DEMO_USER.password);
  await expect(page).not.toHaveURL(/\/login/);
}

async function syncedDevice(): Promise<{ id: string; thingName: string }> {
  const [row] = await db()<{ id: string; thingName: string }[]>`
    select d.id, d.thing_name as "thingName" from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null order by d.thing_name limit 1`;
  if (!row) throw new Error('the demo fleet has no synced device');
  return row;
}

test('a device chart redraws with the expected buckets as the range switches 1h → 24h → 7d', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  const device = await syncedDevice();
  const telemetry = new TelemetryPage(page);
  type Answer = { buckets: number; points: unknown[]; bytesScanned: number; sources: { source: string }[] };
  const check = async (answer: Promise<Response>, range: string, buckets: number, bin: string) => {
    const response = await answer;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as Answer;
    expect(body.buckets).toBe(buckets);
    expect(body.points).toHaveLength(buckets);
    expect(body.sources.map((s) => s.source)).toEqual(['timestream']);
    expect(body.bytesScanned).toBeGreaterThan(0);
    await telemetry.expectBuckets(range, buckets);
    await expect(telemetry.bin()).toHaveText(bin);
  };

  const first = telemetry.apiResponse(DEMO_ORG.slug, '1h');
  await telemetry.openDevice(DEMO_ORG.slug, device.id, '&range=1h');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(device.thingName);
  await expect(telemetry.rangeButton('1 h')).toHaveAttribute('aria-pressed', 'true');
  await check(first, '1h', 60, '1 minute');
  await check(telemetry.chooseRange(DEMO_ORG.slug, '24 h', '24h'), '24h', 288, '5 minutes');
  await expect(page).toHaveURL(/range=24h/);
  await check(telemetry.chooseRange(DEMO_ORG.slug, '7 d', '7d'), '7d', 672, '15 minutes');
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByTestId('telemetry-bytes')).not.toHaveText('—');
  await snap(page, testInfo, 'device-telemetry-7d-desktop');

  // Hovering a bucket shows its tooltip.
  const box = (await telemetry.chart().boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await expect(page.getByText('15 minutes bucket')).toBeVisible();
  await snap(page, testInfo, 'device-telemetry-tooltip');

  // Back to 1 h on a phone: answered from the browser's query cache, redrawn with 60 buckets.
  await page.setViewportSize({ width: 390, height: 844 });
  await telemetry.rangeButton('1 h').click();
  await telemetry.expectBuckets('1h', 60);
  await snap(page, testInfo, 'device-telemetry-1h-mobile');
  await page.emulateMedia({ colorScheme: 'dark' });
  await snap(page, testInfo, 'device-telemetry-1h-mobile-dark');
  await page.setViewportSize({ width: 1280, height: 800 });
  await snap(page, testInfo, 'device-telemetry-1h-desktop-dark');
});

test('the fleet chart covers the synced devices; a custom range is entered with the keyboard', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  const [count] = await db()<{ n: number }[]>`
    select count(*)::int as n from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null`;
  const n = count!.n;
  const telemetry = new TelemetryPage(page);
  const answer = telemetry.apiResponse(DEMO_ORG.slug, '1h');
  await telemetry.openFleet(DEMO_ORG.slug, '?range=1h');
  const body = (await (await answer).json()) as { devices: number; sources: { selection: string; source: string }[] };
  expect(body.devices).toBe(n);
  expect(body.sources).toEqual([expect.objectContaining({ selection: 'all', source: 'timestream' })]);
  await telemetry.expectBuckets('1h', 60);
  await snap(page, testInfo, 'fleet-telemetry-desktop');

  // Two hours ending an hour ago, at minute precision: 120 buckets of one minute.
  const minute = 60_000;
  const to = Math.floor(Date.now() / minute) * minute - 60 * minute;
  const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  await telemetry.applyCustomRange(local(to - 120 * minute), local(to));
  await telemetry.expectBuckets('custom', 120);
  await expect(page).toHaveURL(/range=custom/);
  await snap(page, testInfo, 'fleet-telemetry-custom');

  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, testInfo, 'fleet-telemetry-mobile');
});

test('empty, invalid-range and missing-device states', async ({ page }, testInfo) => {
  await signIn(page);
  const device = await syncedDevice();
  const telemetry = new TelemetryPage(page);

  // A measure the Timestream table does not have: an empty chart, not an error.
  await telemetry.openDevice(DEMO_ORG.slug, device.id, '&metric=humidity&range=1h');
  await expect(page.getByTestId('telemetry-empty')).toContainText('No humidity data in this range');
  await snap(page, testInfo, 'device-telemetry-empty');

  // A hand-edited link asking for 40 days: the server refuses it and the chart says why.
  const to = new Date().toISOString();
  const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
  await telemetry.openDevice(DEMO_ORG.slug, device.id, `&range=custom&from=${from}&to=${to}`);
  await expect(page.getByRole('alert').filter({ hasText: 'A chart covers at most 31 days.' })).toBeVisible();
  await snap(page, testInfo, 'device-telemetry-error');

  await telemetry.openDevice(DEMO_ORG.slug, '00000000-0000-4000-8000-000000000000');
  await expect(page.getByRole('heading', { name: 'Device not found' })).toBeVisible();
});
