import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { TEST_PORTS } from '../scripts/stack/config';
import { listSinkEmails } from '../scripts/stack/mail';
import { startWebhookReceiver, verifyFleetlineSignature, type WebhookReceiver } from '../scripts/test/notification-fixtures';
import { db } from './db';
import { AuthPages, formAlert, uniqueEmail } from './pages/auth-pages';
import { ChannelPage, NotificationsPage } from './pages/notification-pages';

/**
 * Notification channels in the UI against real receivers: a webhook on loopback (the e2e stack
 * allows loopback outbound, and plain http to it) and the stack's SMTP sink. The signing secret is
 * shown once; a viewer reads channels and their log but gets no control, secret or URL path.
 */
const PASSWORD = 'correct-horse-battery';

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

/** A URL on the receiver whose path and query are secrets of their own (they must never be shown). */
function secretUrl(): { url: string; token: string } {
  const token = randomBytes(12).toString('hex');
  return { url: `${new URL(receiver.url).origin}/hooks/${token}?key=${token}`, token };
}

async function signUpWithOrg(page: Page, label: string): Promise<string> {
  const slug = `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const auth = new AuthPages(page);
  await auth.signUp(uniqueEmail(label), PASSWORD);
  await auth.createOrg(`${label} fleet`, slug);
  await expect(page).toHaveURL(new RegExp(`/${slug}$`));
  return slug;
}

test('an admin adds a webhook channel, sees its secret once, and a signed test arrives and is logged', async ({ page }) => {
  const slug = await signUpWithOrg(page, 'notify');
  await page.goto(`/${slug}/settings`);
  await page.getByRole('link', { name: 'Notification channels →' }).click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/settings/notifications$`));
  const list = new NotificationsPage(page);
  await expect(page.getByRole('heading', { name: 'No notification channels yet' })).toBeVisible();

  // The schema's own messages, per field, before anything is saved.
  await list.createWebhook('', 'ftp://nope');
  await expect(formAlert(page).filter({ hasText: 'Give the channel a name.' })).toBeVisible();
  await expect(formAlert(page).filter({ hasText: 'Enter an http(s) URL' })).toBeVisible();
  await expect(list.createForm().getByLabel('Webhook URL')).toHaveAttribute('aria-invalid', 'true');

  const { url, token } = secretUrl();
  const before = receiver.requests.length;
  await list.createWebhook('Ops webhook', url);
  await expect(list.secretNotice()).toContainText('it will not be shown again');
  await expect(page.getByRole('button', { name: 'Copy secret' })).toBeFocused();
  const secret = await list.secret();
  await expect(list.row('Ops webhook')).toContainText(`http://127.0.0.1:${new URL(url).port}/…`);
  await expect(list.row('Ops webhook')).toContainText('Nothing sent yet');

  // Gone after a reload, and nowhere in the page the server renders.
  await page.reload();
  await expect(list.row('Ops webhook')).toBeVisible();
  await expect(list.secretNotice()).toHaveCount(0);
  const html = await page.content();
  expect(html).not.toContain(secret);
  expect(html).not.toContain(token);

  await list.row('Ops webhook').getByRole('link', { name: 'Ops webhook' }).click();
  const channel = new ChannelPage(page);
  await expect(channel.heading('Ops webhook')).toBeVisible();
  await expect(page.getByText('Nothing sent yet.')).toBeVisible();
  await channel.button('Send test').click();
  await expect(channel.testOutcome()).toHaveText('Test delivered: the receiver answered HTTP 200.');

  const received = receiver.requests.slice(before);
  expect(received).toHaveLength(1);
  const [hook] = received;
  expect(hook!.headers['fleetline-event']).toBe('test');
  expect(verifyFleetlineSignature(secret, hook!.headers['fleetline-signature'] as string, hook!.body)).toBe(true);
  expect(JSON.parse(hook!.body)).toMatchObject({ type: 'test', id: hook!.headers['fleetline-delivery'], data: { test: { channelName: 'Ops webhook' } } });

  await expect(channel.deliveries()).toHaveCount(1);
  const row = channel.deliveries().first();
  await expect(row).toHaveAttribute('data-delivery-id', hook!.headers['fleetline-delivery'] as string);
  await expect(row.getByTestId('delivery-status')).toHaveAttribute('data-status', 'delivered');
  await expect(row).toContainText('Test');
  await expect(row.getByTestId('delivery-code')).toHaveText('200');

  // Rotating makes a new secret (shown once); the next test is signed with it, not the old one.
  await channel.button('Rotate signing secret…').click();
  await channel.button('Rotate secret').click();
  const rotated = await list.secret();
  expect(rotated).not.toBe(secret);
  await channel.button('I have stored it').click();
  await expect(list.secretNotice()).toHaveCount(0);
  await channel.button('Send test').click();
  await expect(channel.testOutcome()).toHaveText('Test delivered: the receiver answered HTTP 200.');
  const second = receiver.requests.at(-1)!;
  expect(verifyFleetlineSignature(rotated, second.headers['fleetline-signature'] as string, second.body)).toBe(true);
  expect(verifyFleetlineSignature(secret, second.headers['fleetline-signature'] as string, second.body)).toBe(false);
  await expect(channel.deliveries()).toHaveCount(2);

  // Disable, then the list says so; the last delivery is shown there.
  await channel.button('Disable').click();
  await expect(channel.button('Enable')).toBeVisible();
  await page.getByRole('link', { name: '← Notifications' }).click();
  await expect(list.row('Ops webhook')).toContainText('Disabled');
  await expect(list.row('Ops webhook').getByTestId('delivery-status')).toHaveAttribute('data-status', 'delivered');
});

test('an e-mail channel’s test arrives in the SMTP sink; the channel can be deleted', async ({ page }) => {
  const slug = await signUpWithOrg(page, 'mailer');
  const list = new NotificationsPage(page);
  await list.open(slug);
  const recipient = uniqueEmail('oncall');
  await list.createEmail('On-call mail', [recipient.toUpperCase(), 'not-an-address']);
  await expect(formAlert(page).filter({ hasText: 'Enter valid e-mail addresses.' })).toBeVisible();
  await list.createForm().getByLabel('Recipients').fill(recipient);
  await list.createForm().getByRole('button', { name: 'Add channel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Channel On-call mail created.' })).toBeVisible();
  await expect(list.secretNotice()).toHaveCount(0);
  // Same name again: the service's CONFLICT comes back as a field error.
  await page.getByRole('button', { name: 'Add another channel' }).click();
  await list.createEmail('on-call mail', [recipient]);
  await expect(formAlert(page).filter({ hasText: 'Another channel of this organization has this name.' })).toBeVisible();

  await list.row('On-call mail').getByRole('link', { name: 'On-call mail' }).click();
  const channel = new ChannelPage(page);
  await expect(channel.heading('On-call mail')).toBeVisible();
  await channel.button('Send test').click();
  await expect(channel.testOutcome()).toHaveText('Test delivered: the mail server accepted it.');
  await expect(channel.deliveries().first().getByTestId('delivery-status')).toHaveAttribute('data-status', 'delivered');
  await expect
    .poll(async () => (await listSinkEmails(`http://127.0.0.1:${TEST_PORTS.mail}`)).filter((m) => m.to.some((t) => t.address === recipient)).map((m) => m.subject))
    .toEqual(['[Fleetline] Test notification for “On-call mail”']);

  // Editing the recipients: the schema's message for a bad address, then saved.
  const second = uniqueEmail('backup');
  await page.getByLabel('Recipients').fill(`${recipient}\nnot-an-address`);
  await channel.button('Save changes').click();
  await expect(formAlert(page).filter({ hasText: 'Enter valid e-mail addresses.' })).toBeVisible();
  await page.getByLabel('Recipients').fill(`${recipient}\n${second}`);
  await channel.button('Save changes').click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByTestId('channel-target').first()).toContainText(`${recipient} +1 more`);

  // The scheduled fleet report: off by default; weekly on Friday at 06:00 UTC once saved.
  await expect(page.getByTestId('report-schedule')).toHaveText('Report: Off');
  await page.getByLabel('Frequency').selectOption('weekly');
  await page.getByLabel('Hour (UTC)').selectOption('6');
  await page.getByLabel('Weekday').selectOption('5');
  await channel.button('Save report').click();
  await expect(page.getByTestId('report-schedule')).toHaveText('Report: Weekly on Friday at 06:00 UTC');

  await channel.button('Delete channel…').click();
  await expect(channel.button('Cancel')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(channel.button('Delete channel')).toHaveCount(0);
  await channel.button('Delete channel…').click();
  await channel.button('Delete channel').click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/settings/notifications$`));
  await expect(page.getByRole('heading', { name: 'No notification channels yet' })).toBeVisible();
});

test('a viewer reads channels and their delivery log without controls, secret or URL path; replayed admin actions are refused', async ({ browser }) => {
  const owner = await browser.newPage();
  const slug = await signUpWithOrg(owner, 'notiview');
  const ownerList = new NotificationsPage(owner);
  await ownerList.open(slug);
  const { url, token } = secretUrl();
  await ownerList.createWebhook('Viewer-visible hook', url, 'Slack-compatible');
  const secret = await ownerList.secret();
  // The owner's own action requests, to replay with the viewer's session below.
  const actions: { test?: { id: string; url: string; body: string }; toggle?: { id: string; url: string; body: string } } = {};
  owner.on('request', (req) => {
    const id = req.headers()['next-action'];
    const body = req.postData() ?? '';
    if (!id || req.method() !== 'POST' || !body.includes('channelId')) return;
    if (body.includes('"enabled":false')) actions.toggle ??= { id, url: req.url(), body };
    else if (!body.includes('"enabled"')) actions.test ??= { id, url: req.url(), body };
  });
  await ownerList.row('Viewer-visible hook').getByRole('link', { name: 'Viewer-visible hook' }).click();
  const ownerChannel = new ChannelPage(owner);
  await ownerChannel.button('Send test').click();
  await expect(ownerChannel.testOutcome()).toHaveText('Test delivered: the receiver answered HTTP 200.');
  await ownerChannel.button('Disable').click();
  await ownerChannel.button('Enable').click();
  await expect(ownerChannel.button('Disable')).toBeVisible();
  expect(actions.test, 'Send test posts to a server action').toBeDefined();
  expect(actions.toggle, 'Disable posts to a server action').toBeDefined();

  const [org] = await db()<{ id: string }[]>`select id from public.organizations where slug = ${slug}`;
  const viewerEmail = uniqueEmail('viewer');
  const viewer = await browser.newPage();
  await new AuthPages(viewer).signUp(viewerEmail, PASSWORD);
  await expect(viewer).toHaveURL(/\/orgs\/new$/);
  await db()`insert into public.memberships (org_id, user_id, role) select ${org!.id}, id, 'viewer' from auth.users where email = ${viewerEmail}`;
  // An older history than one page holds: 30 deliveries that gave up (the worker leaves those alone).
  await db()`
    insert into public.notification_deliveries (org_id, channel_id, kind, payload, status, attempts, last_status_code, last_error, created_at)
    select c.org_id, c.id, 'alert', '{}'::jsonb, 'gave_up', 6, 500, 'HTTP 500; gave up after 6 attempts', now() - make_interval(mins => g)
    from public.notification_channels c, generate_series(1, 30) g where c.org_id = ${org!.id}`;

  // Every body the viewer's browser receives: HTML, RSC payloads (client navigation), JSON.
  const bodies: { url: string; type: string; body: string }[] = [];
  const pending: Promise<void>[] = [];
  viewer.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (/^(image|font)\//.test(type)) return;
    pending.push(response.text().then((body) => void bodies.push({ url: response.url(), type, body }), () => undefined));
  });

  await viewer.goto(`/${slug}/settings`);
  await viewer.getByRole('link', { name: 'Notification channels →' }).click();
  const list = new NotificationsPage(viewer);
  await expect(list.row('Viewer-visible hook')).toContainText('Slack-compatible');
  await expect(viewer.getByTestId('read-only-note')).toContainText('channels are read-only for you');
  await expect(list.createForm()).toHaveCount(0);
  await list.row('Viewer-visible hook').getByRole('link', { name: 'Viewer-visible hook' }).click();
  const channel = new ChannelPage(viewer);
  await expect(channel.heading('Viewer-visible hook')).toBeVisible();
  await expect(channel.deliveries()).toHaveCount(25);
  await expect(channel.deliveries().first().getByTestId('delivery-status')).toHaveAttribute('data-status', 'delivered');
  await viewer.getByRole('link', { name: 'Older →' }).click();
  await expect(channel.deliveries()).toHaveCount(6);
  await expect(channel.deliveries().getByTestId('delivery-error').first()).toHaveText('HTTP 500; gave up after 6 attempts');
  await expect(channel.deliveries().first()).toContainText('Alert');
  await expect(viewer.getByRole('link', { name: 'Older →' })).toHaveCount(0);
  await viewer.getByRole('link', { name: '← Newest' }).click();
  await expect(channel.deliveries()).toHaveCount(25);
  await expect(viewer.getByTestId('report-schedule')).toHaveText('Report: Off');
  for (const name of ['Send test', 'Disable', 'Enable', 'Save changes', 'Save report', 'Rotate signing secret…', 'Delete channel…', 'Add channel']) {
    await expect(channel.button(name)).toHaveCount(0);
  }
  await expect(viewer.getByRole('heading', { name: 'Settings', level: 2 })).toHaveCount(0);
  await viewer.reload();
  await expect(channel.deliveries()).toHaveCount(25);

  // The owner's requests replayed by the viewer: refused, nothing sent, nothing changed.
  const sentBefore = receiver.requests.length;
  for (const replay of [actions.test!, actions.toggle!]) {
    const response = await viewer.request.post(replay.url, {
      headers: { 'Next-Action': replay.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
      data: replay.body,
    });
    expect(await response.text()).toContain('FORBIDDEN');
  }
  expect(receiver.requests.length).toBe(sentBefore);
  const [state] = await db()<{ enabled: boolean; deliveries: number }[]>`
    select c.enabled, (select count(*)::int from public.notification_deliveries d where d.channel_id = c.id) as deliveries
    from public.notification_channels c where c.org_id = ${org!.id}`;
  expect(state).toEqual({ enabled: true, deliveries: 31 });

  await Promise.all(pending);
  expect(bodies.some((b) => b.type.startsWith('text/html'))).toBe(true);
  expect(bodies.some((b) => b.type.startsWith('text/x-component'))).toBe(true);
  expect(bodies.some((b) => b.body.includes('Viewer-visible hook'))).toBe(true);
  for (const b of bodies) {
    for (const needle of [secret, token]) expect(b.body.includes(needle), `${needle} in ${b.url} (${b.type})`).toBe(false);
  }
  await owner.close();
  await viewer.close();
});
