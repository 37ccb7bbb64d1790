import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEMO_ACCOUNT_ID } from '../scripts/sim/config';
import { DEMO_MEMBERS, DEMO_ORG } from '../scripts/seed';
import { db } from './db';
import { AuthPages, formAlert } from './pages/auth-pages';

/**
 * Alerts end to end against the demo fleet and its running worker: an operator creates an offline
 * rule for one device in the UI, the simulator takes the device offline, the bell shows the alert,
 * the operator acknowledges it and it resolves when the device is back. A viewer reads rules and
 * alerts without controls, and the operator's own action requests replayed as the viewer are refused.
 */
test.describe.configure({ mode: 'serial' });

const [OPERATOR, VIEWER] = DEMO_MEMBERS;
const slug = DEMO_ORG.slug;
const unique = `e2e${Date.now().toString(36)}`;
const ruleName = `Offline ${unique}`;

interface Captured {
  id: string;
  url: string;
  body: string;
}
const captured: { create?: Captured; acknowledge?: Captured } = {};
let device: { id: string; thing_name: string };
let ruleId: string;

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function signIn(page: Page, email: string, password: string) {
  await new AuthPages(page).signIn(email, password);
  await expect(page).not.toHaveURL(/\/login/);
}

/** A device control of the simulator's admin API (scripts/sim/README.md, Device controls). */
async function simDevices(action: 'offline' | 'online', thingNames: string[]) {
  const res = await fetch(`${process.env.FLEETLINE_AWS_SIM_ENDPOINT}/_sim/accounts/${DEMO_ACCOUNT_ID}/devices/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ thingNames }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Queues a sync from the overview's strip (a sync already queued or running is just as good). */
async function syncNow(page: Page) {
  await page.goto(`/${slug}`);
  await page.getByRole('button', { name: 'Sync now' }).first().click();
  await expect(page.getByRole('status').filter({ hasText: /Sync queued|already (queued|running)/ })).toBeVisible();
}

async function alertState(): Promise<string | null> {
  const [row] = await db()<{ state: string }[]>`
    select state from public.alerts where rule_id = ${ruleId} and device_id = ${device.id} order by created_at desc limit 1`;
  return row?.state ?? null;
}

test.beforeAll(async () => {
  // A connected device whose name matches no other device's, so the rule's search selects it alone.
  const [row] = await db()<{ id: string; thing_name: string }[]>`
    select d.id, d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${slug} and d.removed_at is null and d.connected and d.status = 'online'
      and (select count(*) from public.devices x where x.org_id = d.org_id and x.search_text like '%' || lower(d.thing_name) || '%') = 1
    order by d.thing_name limit 1`;
  expect(row, 'the demo fleet has a connected device').toBeTruthy();
  device = row!;
});

test.afterAll(async () => {
  if (device) await simDevices('online', [device.thing_name]).catch(() => {});
});

test('an operator creates an offline rule, sees the alert fire, acknowledges it, and it resolves', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  page.on('request', (req) => {
    const id = req.headers()['next-action'];
    const body = req.postData() ?? '';
    if (!id || req.method() !== 'POST') return;
    if (body.includes(ruleName)) captured.create ??= { id, url: req.url(), body };
    else if (/"alertId"/.test(body)) captured.acknowledge ??= { id, url: req.url(), body };
  });
  await signIn(page, OPERATOR.email, OPERATOR.password);

  // The editor: field errors from the shared schema first, then a valid rule.
  await page.goto(`/${slug}/alerts/rules/new`);
  await page.getByLabel('Offline for more than (minutes)').fill('0');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(formAlert(page).filter({ hasText: 'Enter a name.' })).toBeVisible();
  await expect(page.getByLabel('Offline for more than (minutes)')).toHaveAttribute('aria-invalid', 'true');
  await expect(formAlert(page).filter({ hasText: 'Enter at least 1.' })).toBeVisible();
  expect(await db()`select 1 from public.alert_rules where name = ${ruleName}`).toHaveLength(0);

  await page.getByLabel('Name', { exact: true }).fill(ruleName);
  await expect(formAlert(page).filter({ hasText: 'Enter a name.' })).toHaveCount(0);
  await page.getByLabel('Severity').selectOption('critical');
  await page.getByLabel('Offline for more than (minutes)').fill('1');
  await page.getByLabel('Search').fill(device.thing_name);
  // The notifications lane's channels: none in the demo yet, and the form says where to add them.
  const channels = await db()`select 1 from public.notification_channels c join public.organizations o on o.id = c.org_id where o.slug = ${slug}`;
  if (channels.length === 0) await expect(page.getByTestId('no-channels').getByRole('link')).toHaveAttribute('href', `/${slug}/settings/notifications`);
  await snap(page, testInfo, 'rule-form');
  await page.getByRole('button', { name: 'Create rule' }).press('Enter');
  await expect(page).toHaveURL(new RegExp(`/${slug}/alerts/rules$`));
  const row = page.getByTestId('rule-row').filter({ hasText: ruleName });
  await expect(row).toContainText('offline for more than 1 min');
  await expect(row).toContainText('Critical');
  const [rule] = await db()<{ id: string; filter: unknown; condition: unknown }[]>`select id, filter, condition from public.alert_rules where name = ${ruleName}`;
  expect(rule).toMatchObject({ filter: { q: device.thing_name }, condition: { kind: 'offline', minutes: 1 } });
  ruleId = rule!.id;

  // Opening the alerts page marks the bell read; then the device goes offline.
  await page.goto(`/${slug}/alerts`);
  await expect(page.getByTestId('alert-bell')).toBeVisible();
  await simDevices('offline', [device.thing_name]);
  const offlineAt = Date.now();
  await syncNow(page);
  // A minute offline, then one sync (or the once-a-minute evaluation) opens the alert.
  await expect(async () => {
    if (Date.now() - offlineAt > 62_000 && (await alertState()) === null) await syncNow(page).catch(() => {});
    expect(await alertState()).toBe('firing');
  }).toPass({ timeout: 150_000, intervals: [3_000] });
  await expect(async () => {
    await page.goto(`/${slug}`);
    await expect(page.getByTestId('alert-bell-count')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 40_000 });
  await snap(page, testInfo, 'bell-unread');

  // The bell opens the alerts page; filter by the rule (in the URL) and acknowledge.
  await page.getByTestId('alert-bell').click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/alerts$`));
  await page.getByLabel('Rule', { exact: true }).selectOption(ruleId);
  await page.getByLabel('State', { exact: true }).selectOption('firing,acknowledged');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`state=firing%2Cacknowledged.*rule=${ruleId}|rule=${ruleId}.*state=`));
  const alert = page.getByTestId('alert-row');
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText(ruleName);
  await expect(alert.getByRole('link', { name: device.thing_name })).toHaveAttribute('href', `/${slug}/devices/${device.id}`);
  await expect(alert.getByTestId('alert-state')).toHaveText('Firing');
  await expect(page.getByTestId('alert-bell-count')).toHaveCount(0);
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(alert.getByTestId('alert-state')).toHaveText('Acknowledged');
  expect(await alertState()).toBe('acknowledged');
  // Snoozing the rule for this device keeps the alert but holds back its notifications.
  await alert.getByLabel('Snooze this rule for the device').selectOption('1');
  await alert.getByRole('button', { name: 'Snooze', exact: true }).click();
  await expect(async () => {
    expect(await db()`select 1 from public.alert_device_snoozes where rule_id = ${ruleId} and device_id = ${device.id} and until > now() + interval '50 minutes'`).toHaveLength(1);
  }).toPass({ timeout: 10_000 });
  await snap(page, testInfo, 'alerts-acknowledged');

  // The device page lists it; the overview counts it.
  await page.goto(`/${slug}/devices/${device.id}`);
  await expect(page.getByRole('list', { name: 'Device alerts' })).toContainText(ruleName);
  await page.goto(`/${slug}`);
  await expect(page.getByTestId('open-alerts-critical')).not.toContainText(/^0/);

  // Back online: the next sync resolves it.
  await simDevices('online', [device.thing_name]);
  await syncNow(page);
  await expect(async () => {
    expect(await alertState()).toBe('resolved');
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await page.goto(`/${slug}/alerts?state=resolved&rule=${ruleId}`);
  await expect(page.getByTestId('alert-row').getByTestId('alert-state')).toHaveText('Resolved');

  // The rules list: snooze the whole rule, then switch it off.
  await page.goto(`/${slug}/alerts/rules`);
  const ruleRow = page.getByTestId('rule-row').filter({ hasText: ruleName });
  await ruleRow.getByLabel(`Snooze ${ruleName}`).selectOption('8');
  await expect(ruleRow).toContainText('Snoozed');
  await ruleRow.getByRole('switch', { name: `${ruleName} enabled` }).click();
  await expect(ruleRow.getByRole('switch')).toHaveAttribute('aria-checked', 'false');
  await expect(ruleRow).toContainText('Disabled');
  const [after] = await db()`select enabled, snoozed_until > now() + interval '7 hours' as snoozed from public.alert_rules where id = ${ruleId}`;
  expect(after).toEqual({ enabled: false, snoozed: true });
  expect(captured.create, 'the editor posts to a server action').toBeDefined();
  expect(captured.acknowledge, 'acknowledge posts to a server action').toBeDefined();
});

test('a viewer reads rules and alerts without controls, and replayed operator actions are refused', async ({ page, request }) => {
  // The bell's JSON: the session's member only.
  expect((await request.get(`/api/orgs/${slug}/alerts/unread`)).status()).toBe(401);
  await signIn(page, VIEWER.email, VIEWER.password);
  const unread = await page.request.get(`/api/orgs/${slug}/alerts/unread`);
  expect(unread.status()).toBe(200);
  expect(await unread.json()).toEqual({ count: expect.any(Number) });
  expect((await page.request.get(`/api/orgs/not-${unique}/alerts/unread`)).status()).toBe(404);

  await page.goto(`/${slug}/alerts/rules`);
  const row = page.getByTestId('rule-row').filter({ hasText: ruleName });
  await expect(row).toBeVisible();
  await expect(page.getByRole('link', { name: 'Create rule' })).toHaveCount(0);
  await expect(page.getByRole('switch')).toHaveCount(0);
  await row.getByRole('link', { name: ruleName }).click();
  await expect(page.getByTestId('rule-read-only')).toContainText('Offline / stale');
  await expect(page.getByRole('button', { name: 'Save rule' })).toHaveCount(0);

  await page.goto(`/${slug}/alerts?rule=${ruleId}`);
  await expect(page.getByTestId('alert-row')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Snooze' })).toHaveCount(0);
  expect((await page.goto(`/${slug}/alerts/rules/new`))?.status()).toBe(404);

  // The operator's real requests, replayed with the viewer's cookies.
  const forged = `Forged ${unique}`;
  const create = captured.create!;
  const createResponse = await page.request.post(create.url, {
    headers: { 'Next-Action': create.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
    data: create.body.replaceAll(ruleName, forged),
  });
  expect(await createResponse.text()).toContain('FORBIDDEN');
  expect(await db()`select 1 from public.alert_rules where name = ${forged}`).toHaveLength(0);
  const ack = captured.acknowledge!;
  const ackResponse = await page.request.post(ack.url, {
    headers: { 'Next-Action': ack.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
    data: ack.body,
  });
  expect(await ackResponse.text()).toContain('FORBIDDEN');
});
