import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEMO_ACCOUNT_ID } from '../scripts/sim/config';
import { DEMO_INTEGRATION_NAME, DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { AuthPages } from './pages/auth-pages';

/**
 * Live data end to end (issue 13's acceptance) on the demo fleet: the owner switches live data on
 * for the simulator's integration in the UI (Fleetline creates the destination and both rules; the
 * simulator's confirmation reaches the running app), a device's chart fills from the Fleetline store
 * without a reload, and a device taken offline in the simulator shows offline within seconds, its
 * disconnect delivered through the presence rule. Live data is switched off again at the end, so the
 * other specs see the integration as they expect (Timestream charts).
 */
test.describe.configure({ mode: 'serial' });

const slug = DEMO_ORG.slug;
const sim = () => process.env.FLEETLINE_AWS_SIM_ENDPOINT!;
/** The simulator's default report interval; the spec shortens it to one minute so a report comes soon. */
const DEFAULT_REPORT_INTERVAL_MS = 300_000;
let integrationId: string;
let device: { id: string; thing_name: string };

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function simCall(method: 'POST' | 'PUT', path: string, body: unknown) {
  const res = await fetch(`${sim()}/_sim${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

test.beforeAll(async () => {
  const [integration] = await db()<{ id: string }[]>`
    select i.id from public.integrations i join public.organizations o on o.id = i.org_id
    where o.slug = ${slug} and i.name = ${DEMO_INTEGRATION_NAME}`;
  expect(integration, 'the demo integration exists').toBeTruthy();
  integrationId = integration!.id;
  const [row] = await db()<{ id: string; thing_name: string }[]>`
    select d.id, d.thing_name from public.devices d
    where d.integration_id = ${integrationId} and d.removed_at is null and d.connected and d.status = 'online'
    order by d.thing_name desc limit 1`;
  expect(row, 'the demo fleet has a connected device').toBeTruthy();
  device = row!;
  await simCall('PUT', '/behaviour', { reportIntervalMs: 60_000 });
});

test.afterAll(async () => {
  await simCall('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/online`, { thingNames: [device.thing_name] }).catch(() => {});
  await simCall('PUT', '/behaviour', { reportIntervalMs: DEFAULT_REPORT_INTERVAL_MS }).catch(() => {});
  // Should the spec stop before switching off in the UI: the endpoint refuses whatever still arrives.
  await db()`update public.integration_live_data set enabled = false, secret_hash = null, secret_hint = null,
    previous_secret_hash = null, previous_secret_expires_at = null where integration_id = ${integrationId}`.catch(() => {});
});

test('live data on: the device chart fills and a disconnect shows within seconds, without a reload', async ({ page }, testInfo) => {
  // The wait for the next report (at most a minute) is most of it.
  test.setTimeout(150_000);
  await new AuthPages(page).signIn(DEMO_USER.email, DEMO_USER.password);
  await expect(page).not.toHaveURL(/\/login/);

  // Switch on: Fleetline manages the rules (the demo key may), and shows the secret once.
  await page.goto(`/${slug}/integrations/${integrationId}`);
  const card = page.getByTestId('live-data');
  await expect(card).toContainText('Off');
  await page.getByRole('button', { name: 'Switch live data on' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Fleetline put it into both rules.' })).toBeVisible();
  await expect(card).toContainText('On');
  // The simulator's confirmation POST reached the app, which confirmed the destination with AWS.
  await expect.poll(async () => (await db()<{ s: string | null }[]>`
    select destination_status as s from public.integration_live_data where integration_id = ${integrationId}`)[0]?.s, { timeout: 15_000 }).toBe('ENABLED');
  expect(await (await fetch(`${sim()}/_sim/rules`)).text()).toContain(`fleetline_${integrationId.replace(/-/g, '')}_presence`);
  await snap(page, testInfo, 'live-data-on');

  // The device page, loaded once: its chart now reads the Fleetline store.
  await page.goto(`/${slug}/devices/${device.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.evaluate(() => ((window as unknown as { liveSpecMarker: number }).liveSpecMarker = 1));
  const sources = page.getByRole('list', { name: 'Sources' });
  await expect(sources).toContainText('Fleetline store');
  await expect(page.getByTestId('device-header')).toContainText('Online');

  // The next report (at most a minute away) arrives through the telemetry rule; the chart polls it in.
  await expect(page.getByTestId('telemetry-chart')).toHaveAttribute('data-point-count', /^[1-9]\d*$/, { timeout: 75_000 });
  await snap(page, testInfo, 'device-chart-live');

  // Offline in the simulator: the presence rule delivers the disconnect, the page shows it in seconds.
  await simCall('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/offline`, { thingNames: [device.thing_name] });
  const tookOffline = Date.now();
  await expect(page.getByTestId('device-header')).toContainText('Offline', { timeout: 15_000 });
  expect(Date.now() - tookOffline).toBeLessThan(15_000);
  await expect(page.getByTestId('disconnect-reason')).toHaveText('connection lost');
  // Still the same document: everything above arrived without a reload.
  expect(await page.evaluate(() => (window as unknown as { liveSpecMarker?: number }).liveSpecMarker)).toBe(1);
  await snap(page, testInfo, 'device-offline-live');
});

test('live data off: the rules are deleted and the device chart reads Timestream again', async ({ page }) => {
  await new AuthPages(page).signIn(DEMO_USER.email, DEMO_USER.password);
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto(`/${slug}/integrations/${integrationId}`);
  await page.getByRole('button', { name: 'Switch live data off' }).click();
  await expect(page.getByTestId('live-data')).toContainText('Off');
  // Neither of the integration's rules is left in the simulated account.
  const rules = await (await fetch(`${sim()}/_sim/rules`)).text();
  expect(rules).not.toContain(`fleetline_${integrationId.replace(/-/g, '')}`);
  await page.goto(`/${slug}/devices/${device.id}`);
  await expect(page.getByRole('list', { name: 'Sources' })).toContainText('Timestream');
});
