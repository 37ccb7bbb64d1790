import { DescribeThingCommand, IoTClient } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEMO_CREDENTIALS, DEMO_REGION } from '../scripts/sim/config';
import { DEMO_MEMBERS, DEMO_ORG } from '../scripts/seed';
import { db } from './db';
import { AuthPages, formAlert } from './pages/auth-pages';
import { DeviceDetailPage } from './pages/device-detail-page';

/**
 * The device page against the demo fleet: an operator sends a desired-state change and watches
 * the simulator converge it, edits attributes; a viewer sees no write controls, and the operator's
 * own action requests replayed with the viewer's session are refused and change nothing.
 */
test.describe.configure({ mode: 'serial' });

const [OPERATOR, VIEWER] = DEMO_MEMBERS;
const slug = DEMO_ORG.slug;
const unique = `e2e${Date.now().toString(36)}`;

interface Captured {
  id: string;
  url: string;
  body: string;
}
const captured: { command?: Captured; attribute?: Captured } = {};
let device: { id: string; thing_name: string };

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function signIn(page: Page, email: string, password: string) {
  await new AuthPages(page).signIn(email, password);
  await expect(page).not.toHaveURL(/\/login/);
}

const awsConfig = () => ({ endpoint: process.env.FLEETLINE_AWS_SIM_ENDPOINT!, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });

async function awsDesired(thingName: string): Promise<Record<string, unknown>> {
  const data = new IoTDataPlaneClient(awsConfig());
  try {
    const out = await data.send(new GetThingShadowCommand({ thingName }));
    return (JSON.parse(new TextDecoder().decode(out.payload)) as { state: { desired?: Record<string, unknown> } }).state.desired ?? {};
  } finally {
    data.destroy();
  }
}

async function awsAttributes(thingName: string): Promise<Record<string, string>> {
  const iot = new IoTClient(awsConfig());
  try {
    return (await iot.send(new DescribeThingCommand({ thingName }))).attributes ?? {};
  } finally {
    iot.destroy();
  }
}

test.beforeAll(async () => {
  // The device that reported most recently: connected, and its next report (every 5 min) is far
  // enough away that the shadow version the page shows is still current when the command goes out.
  const [row] = await db()<{ id: string; thing_name: string }[]>`
    select d.id, d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${slug} and d.removed_at is null and d.connected and d.status = 'online'
    order by d.last_seen_at desc limit 1`;
  expect(row, 'the demo fleet has a connected device').toBeTruthy();
  device = row!;
});

test('an operator sends a desired-state change, watches it converge, and edits attributes', async ({ page }, testInfo) => {
  page.on('request', (req) => {
    const id = req.headers()['next-action'];
    const body = req.postData() ?? '';
    if (!id || req.method() !== 'POST') return;
    if (body.includes(`note-${unique}`)) captured.attribute ??= { id, url: req.url(), body };
    else if (body.includes(unique) && body.includes('"desired"')) captured.command ??= { id, url: req.url(), body };
  });
  await signIn(page, OPERATOR.email, OPERATOR.password);
  const detail = new DeviceDetailPage(page);
  await detail.open(slug, device.id);
  await expect(page.getByRole('main').getByRole('link', { name: 'Telemetry' })).toHaveAttribute('href', `/${slug}/telemetry?device=${device.id}`);
  await expect(detail.shadowRow('firmware')).toBeVisible();

  // Invalid desired state is explained on the field and nothing is sent.
  const commandsBefore = await db()`select 1 from public.device_commands where device_id = ${device.id}`;
  await detail.sendCommand('{"reported": {"ledColor": "red"}}');
  await expect(formAlert(page).filter({ hasText: 'Remove the "reported" section' })).toBeVisible();
  await detail.sendCommand('{"ledColor": ');
  await expect(formAlert(page).filter({ hasText: 'Not valid JSON' })).toBeVisible();
  expect(await db()`select 1 from public.device_commands where device_id = ${device.id}`).toHaveLength(commandsBefore.length);

  // A valid change: pending at once, then converged when the simulated device applies it (5 s).
  await detail.desiredEditor().fill(`{"ledColor": "${unique}"}`);
  await detail.recordStatuses(unique);
  await detail.sendButton().click();
  await expect(page.getByRole('status').filter({ hasText: 'Command sent' })).toBeVisible();
  await expect(detail.command(unique)).toHaveAttribute('data-status', 'converged', { timeout: 30_000 });
  const statuses = await detail.recordedStatuses();
  expect(statuses[0]).toBe('pending');
  expect(statuses.at(-1)).toBe('converged');
  await expect(detail.command(unique)).toContainText('Converged');
  await expect(detail.shadowRow('ledColor').getByTestId('reported')).toHaveText(unique);
  await expect(detail.shadowRow('ledColor').getByTestId('delta')).toHaveCount(0);
  const [row] = await db()`select status, requested_by is not null as has_requester from public.device_commands where device_id = ${device.id} and desired->>'ledColor' = ${unique}`;
  expect(row).toEqual({ status: 'converged', has_requester: true });
  await snap(page, testInfo, 'device-detail-desktop');

  // Raw JSON shows the same shadow.
  await page.getByRole('button', { name: 'Raw JSON' }).click();
  await expect(page.getByTestId('shadow-raw')).toContainText(`"ledColor": "${unique}"`);
  await page.getByRole('button', { name: 'Show table' }).click();

  // Attributes: add one (the fleet index has no registry version, so it is read from AWS first), then edit it.
  await detail.addAttribute(`note-${unique}`, 'first');
  await expect(page.getByRole('status').filter({ hasText: `Saved note-${unique}` })).toContainText('read it from AWS');
  await expect(detail.attributeRow(`note-${unique}`).getByTestId('attribute-value')).toHaveText('first');
  await detail.editAttribute(`note-${unique}`, 'second');
  await expect(detail.attributeRow(`note-${unique}`).getByTestId('attribute-value')).toHaveText('second');
  expect((await awsAttributes(device.thing_name))[`note-${unique}`]).toBe('second');
  // A value AWS would refuse is explained, and nothing changes.
  await detail.editAttribute(`note-${unique}`, 'has spaces');
  await expect(formAlert(page).filter({ hasText: 'Attribute values use' })).toBeVisible();
  expect((await awsAttributes(device.thing_name))[`note-${unique}`]).toBe('second');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.setViewportSize({ width: 390, height: 844 });
  await detail.open(slug, device.id);
  await snap(page, testInfo, 'device-detail-mobile');
  expect(captured.command, 'the composer posts to a server action').toBeDefined();
  expect(captured.attribute, 'the attribute editor posts to a server action').toBeDefined();
});

test('a viewer sees no write controls, and replayed operator actions are refused', async ({ page }, testInfo) => {
  await signIn(page, VIEWER.email, VIEWER.password);
  const detail = new DeviceDetailPage(page);
  await detail.open(slug, device.id);
  await expect(page.getByTestId('read-only-note')).toContainText('You are a viewer');
  await expect(detail.command(unique)).toHaveAttribute('data-status', 'converged');
  await expect(detail.attributeRow(`note-${unique}`)).toBeVisible();
  for (const control of detail.writeControls()) await expect(control).toHaveCount(0);
  await snap(page, testInfo, 'device-detail-viewer');

  // The operator's real requests, replayed with the viewer's cookies and new values.
  const forgedColor = `forged-${unique}`;
  const command = captured.command!;
  const commandResponse = await page.request.post(command.url, {
    headers: { 'Next-Action': command.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
    data: command.body.replaceAll(unique, forgedColor),
  });
  expect(await commandResponse.text()).toContain('FORBIDDEN');
  const attribute = captured.attribute!;
  const attributeResponse = await page.request.post(attribute.url, {
    headers: { 'Next-Action': attribute.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
    data: attribute.body.replaceAll('"first"', '"forged"'),
  });
  expect(await attributeResponse.text()).toContain('FORBIDDEN');

  expect(await db()`select 1 from public.device_commands where desired::text like ${`%${forgedColor}%`}`).toHaveLength(0);
  expect((await awsDesired(device.thing_name)).ledColor).toBe(unique);
  expect((await awsAttributes(device.thing_name))[`note-${unique}`]).toBe('second');
});
