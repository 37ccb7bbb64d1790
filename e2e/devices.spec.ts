import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { DEMO_MEMBERS, DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { DevicesPage } from './pages/devices-page';

/**
 * The device list on the demo organization (200 things synced from the simulator by the worker):
 * find a device by search and by filters, the URL as the shareable view, CSV export of the whole
 * filtered set, keyset pages, sorting, the column chooser, bad links, and the export route's guards.
 * Filters used for counts (thing type, groups, attributes) do not change between syncs; statuses do.
 */
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

/** A named full-page screenshot, kept in the test's output folder and attached to the report. */
async function snap(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Signs in and waits for the demo workspace (the form only works once hydrated, hence the idle wait). */
async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}$`));
}

async function newSignedInPage(browser: Browser, user: { email: string; password: string }, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, user);
  return page;
}

/** Live demo devices matching a SQL condition on `d`, by name (the oracle the page is checked against). */
async function demoDevices(where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await db().unsafe<{ thing_name: string }[]>(
    `select d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
     where o.slug = $1 and d.removed_at is null and (${where}) order by d.thing_name, d.id`,
    [DEMO_ORG.slug, ...params] as never[],
  );
  return rows.map((r) => r.thing_name);
}

test('find a device by search and by filters; the URL is the view; the CSV holds the whole filtered set', async ({ browser }, testInfo) => {
  const page = await newSignedInPage(browser, DEMO_USER);
  const devices = new DevicesPage(page);
  const all = await demoDevices('true');
  expect(all.length).toBeGreaterThan(50);

  await devices.open(DEMO_ORG.slug);
  expect(await devices.count()).toBe(all.length);
  await expect(devices.countText()).toHaveAttribute('data-exact', 'true');
  await expect(devices.rows()).toHaveCount(50);
  expect(await devices.names()).toEqual(all.slice(0, 50));
  await snap(page, testInfo, 'devices-desktop');

  // Search by an attribute value: the serial number of one device.
  const [target] = await db()<{ thing_name: string; serial: string }[]>`
    select d.thing_name, d.attributes->>'serial' as serial from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null order by d.thing_name offset 41 limit 1`;
  await devices.search().fill(target!.serial.toLowerCase());
  await expect(page).toHaveURL(new RegExp(`[?&]q=${target!.serial.toLowerCase()}(&|$)`));
  await expect(devices.rows()).toHaveCount(1);
  expect(await devices.names()).toEqual([target!.thing_name]);

  // And by its name, submitted with Enter.
  await devices.search().fill(target!.thing_name);
  await devices.search().press('Enter');
  await expect(page).toHaveURL(new RegExp(`[?&]q=${target!.thing_name}(&|$)`));
  await expect(devices.rows()).toHaveCount(1);

  // Filters: a thing type and a parent group (the sim's region-eu holds the berlin and paris sites).
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices$`));
  await devices.select('Thing type', 'tracker');
  await expect(page).toHaveURL(/[?&]type=tracker/);
  await devices.select('Group', 'region-eu');
  await expect(page).toHaveURL(/[?&]group=region-eu/);
  const expected = await demoDevices(`d.thing_type = 'tracker' and d.groups && array['region-eu', 'site-berlin', 'site-paris']`);
  expect(expected.length).toBeGreaterThan(0);
  await expect(devices.countText()).toHaveAttribute('data-count', String(expected.length));
  expect(await devices.names()).toEqual(expected.slice(0, 50));
  await snap(page, testInfo, 'devices-filtered-desktop');

  // The same view after a reload and from the copied link in another tab.
  const shared = page.url();
  await page.reload();
  await expect(devices.countText()).toHaveAttribute('data-count', String(expected.length));
  await expect(page.getByRole('combobox', { name: 'Thing type', exact: true })).toHaveValue('tracker');
  await expect(page.getByRole('combobox', { name: 'Group', exact: true })).toHaveValue('region-eu');
  expect(await devices.names()).toEqual(expected.slice(0, 50));
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(new DevicesPage(other).countText()).toHaveAttribute('data-count', String(expected.length));
  expect(await new DevicesPage(other).names()).toEqual(expected.slice(0, 50));
  await other.close();

  // Add an attribute filter too, then export: the CSV has exactly the devices the page counts.
  await devices.addAttribute('hwRev=A');
  await expect(page).toHaveURL(/[?&]attr=hwRev%3DA/);
  const withAttr = await demoDevices(`d.thing_type = 'tracker' and d.groups && array['region-eu', 'site-berlin', 'site-paris'] and d.attributes->>'hwRev' = 'A'`);
  await expect(devices.countText()).toHaveAttribute('data-count', String(withAttr.length));
  for (const { label, names } of [{ label: 'filtered', names: withAttr }]) {
    const [download] = await Promise.all([page.waitForEvent('download'), devices.exportLink().click()]);
    expect(download.suggestedFilename()).toMatch(/^devices-demo-\d{8}-\d{4}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const records = parse(csv, { bom: true, columns: true }) as { thing_name: string; thing_type: string }[];
    expect(records.length, `${label} CSV rows = the page's count`).toBe(await devices.count());
    expect(records.map((r) => r.thing_name)).toEqual(names);
    expect(new Set(records.map((r) => r.thing_type))).toEqual(new Set(['tracker']));
  }

  // Unfiltered export: every device, not just the 50 on the page.
  await devices.open(DEMO_ORG.slug);
  const [download] = await Promise.all([page.waitForEvent('download'), devices.exportLink().click()]);
  const records = parse(await readFile((await download.path())!, 'utf8'), { bom: true, columns: true }) as unknown[];
  expect(records.length).toBe(await devices.count());
  expect(records.length).toBe(all.length);
  await page.context().close();
});

test('keyset pages, sorting, status chips, the column chooser and a bad link', async ({ browser }, testInfo) => {
  const page = await newSignedInPage(browser, DEMO_USER);
  const devices = new DevicesPage(page);
  const all = await demoDevices('true');
  await devices.open(DEMO_ORG.slug);

  // Walk forward through every page and back to the first.
  const seen: string[] = [];
  for (;;) {
    const names = await devices.names();
    seen.push(...names);
    if ((await devices.next().count()) === 0) break;
    await devices.next().click();
    await expect(page.getByTestId('device-name').first()).not.toHaveText(names[0]!);
  }
  expect(seen).toEqual(all);
  const lastFirst = (await devices.names())[0]!;
  await devices.previous().click();
  await expect(page.getByTestId('device-name').first()).not.toHaveText(lastFirst);
  expect(await devices.names()).toEqual(all.slice(Math.floor((all.length - 1) / 50) * 50 - 50, Math.floor((all.length - 1) / 50) * 50));

  // Sort by last seen (newest first), then oldest first.
  await devices.open(DEMO_ORG.slug);
  await devices.sortBy('Last seen').click();
  await expect(page).toHaveURL(/sort=lastSeen&dir=desc/);
  await expect(devices.columnHeader('Last seen')).toHaveAttribute('aria-sort', 'descending');
  await devices.sortBy('Last seen').click();
  await expect(page).toHaveURL(/sort=lastSeen&dir=asc/);
  await expect(devices.columnHeader('Last seen')).toHaveAttribute('aria-sort', 'ascending');

  // Status chips toggle, keep the sort, and every row shows a chosen status.
  await devices.chooseStatus('Online');
  await expect(page).toHaveURL(/status=online/);
  await expect(page).toHaveURL(/sort=lastSeen&dir=asc/);
  await expect(devices.statusChip('Online')).toHaveAttribute('aria-pressed', 'true');
  const statuses = await page.locator('[data-column="status"]').allInnerTexts();
  expect(statuses.every((s) => s.includes('Online'))).toBe(true);

  // The column chooser hides Firmware; the choice survives a reload.
  await expect(devices.columnHeader('Firmware')).toBeVisible();
  await devices.toggleColumn('Firmware');
  await expect(devices.columnHeader('Firmware')).toHaveCount(0);
  await page.reload();
  await expect(devices.columnHeader('Firmware')).toHaveCount(0);
  await expect(devices.columnHeader('Battery')).toBeVisible();
  await devices.toggleColumn('Firmware');
  await expect(devices.columnHeader('Firmware')).toBeVisible();

  // A hand-edited link: the bad parts are named and ignored, the rest applies.
  await devices.open(DEMO_ORG.slug, '?status=sleeping&batteryBelow=lots&type=tracker');
  await expect(devices.invalidNotice()).toContainText('status, battery below');
  await expect(devices.countText()).toHaveAttribute('data-count', String((await demoDevices(`d.thing_type = 'tracker'`)).length));

  // Nothing matches: its own empty state, with a way back.
  await devices.open(DEMO_ORG.slug, '?q=no-such-device-anywhere');
  await expect(page.getByRole('heading', { name: 'No devices match these filters' })).toBeVisible();
  await snap(page, testInfo, 'devices-no-match-desktop');
  await page.context().close();
});

test('on a phone: filters, cards and export fit the screen', async ({ browser }, testInfo) => {
  const page = await newSignedInPage(browser, DEMO_USER, MOBILE);
  const devices = new DevicesPage(page);
  await devices.open(DEMO_ORG.slug, '?type=gateway');
  const expected = await demoDevices(`d.thing_type = 'gateway'`);
  await expect(devices.countText()).toHaveAttribute('data-count', String(expected.length));
  await expect(devices.rows().first()).toBeVisible();
  // No sideways scrolling of the page itself.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(devices.exportLink()).toBeVisible();
  await snap(page, testInfo, 'devices-mobile');
  // The less used filters fold away on a phone; the button says how many are set.
  await expect(page.getByRole('combobox', { name: 'Thing type', exact: true })).toBeHidden();
  await page.getByRole('button', { name: 'More filters (1 set)' }).click();
  await expect(page.getByRole('combobox', { name: 'Thing type', exact: true })).toHaveValue('gateway');
  await page.screenshot({ path: testInfo.outputPath('devices-mobile-filters-viewport.png') });
  await testInfo.attach('devices-mobile-filters-viewport', { path: testInfo.outputPath('devices-mobile-filters-viewport.png'), contentType: 'image/png' });
  await devices.search().fill('sensor-00001');
  await expect(page).toHaveURL(/q=sensor-00001/);
  await expect(devices.rows()).toHaveCount((await demoDevices(`d.thing_name like 'sensor-00001%' and d.thing_type = 'gateway'`)).length);
  await snap(page, testInfo, 'devices-search-mobile');
  await page.context().close();
});

test('bulk actions are offered to operators, not viewers; the export route guards its data', async ({ browser, playwright }) => {
  const viewer = await newSignedInPage(browser, DEMO_MEMBERS.find((m) => m.role === 'viewer')!);
  await new DevicesPage(viewer).open(DEMO_ORG.slug, '?type=tracker');
  await expect(new DevicesPage(viewer).bulkActionsLink()).toHaveCount(0);
  await expect(new DevicesPage(viewer).exportLink()).toBeVisible();
  await viewer.context().close();

  const operator = await newSignedInPage(browser, DEMO_MEMBERS.find((m) => m.role === 'operator')!);
  await new DevicesPage(operator).open(DEMO_ORG.slug, '?type=tracker&sort=battery&dir=asc');
  await expect(new DevicesPage(operator).bulkActionsLink()).toHaveAttribute('href', `/${DEMO_ORG.slug}/devices/bulk?type=tracker`);

  // Signed in: a bad filter is refused rather than exporting something else; an unknown org is not found.
  const refused = await operator.request.get(`/api/orgs/${DEMO_ORG.slug}/devices/export?status=sleeping`);
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toMatchObject({ invalid: ['status'] });
  expect((await operator.request.get('/api/orgs/not-my-org/devices/export')).status()).toBe(404);
  const ok = await operator.request.get(`/api/orgs/${DEMO_ORG.slug}/devices/export?type=tracker`);
  expect(ok.status()).toBe(200);
  expect(ok.headers()['content-type']).toBe('text/csv; charset=utf-8');
  expect(ok.headers()['content-disposition']).toMatch(/^attachment; filename="devices-demo-\d{8}-\d{4}\.csv"$/);
  expect(ok.headers()['cache-control']).toBe('no-store');
  await operator.context().close();

  // Signed out: nothing.
  const anonymous = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  const response = await anonymous.get(`/api/orgs/${DEMO_ORG.slug}/devices/export`);
  expect(response.status()).toBe(401);
  expect(await response.text()).not.toContain('sensor-');
  await anonymous.dispose();
});
