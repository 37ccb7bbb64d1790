import { readFileSync } from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, DEMO_ROLE_ARN, LIMITED_CREDENTIALS } from '../scripts/sim/config';
import { decryptCredentials, parseKeyring } from '../src/lib/vault';
import { db } from './db';
import { AuthPages, uniqueEmail } from './pages/auth-pages';
import { IntegrationPage, IntegrationWizard } from './pages/integration-pages';

/**
 * The integrations wizard against the stack's AWS fleet simulator: access keys without Timestream,
 * a wrong secret, the role path with a wrong and then the right External ID, keyboard use on a
 * phone-sized screen, and a leak test over everything the wizard makes the server produce.
 */
const PASSWORD = 'correct-horse-battery';
const SIM = () => {
  const url = process.env.FLEETLINE_AWS_SIM_ENDPOINT;
  if (!url) throw new Error('FLEETLINE_AWS_SIM_ENDPOINT is not set: the global setup starts the simulator');
  return url;
};

/** A named full-page screenshot, kept in the test's output folder and attached to the report. */
async function snap(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Content Security Policy violations the browser reports (the wizard downloads a blob, copies text…). */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

async function signUpWithOrg(page: Page, label: string): Promise<string> {
  const slug = `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const auth = new AuthPages(page);
  await auth.signUp(uniqueEmail(label), PASSWORD);
  await auth.createOrg(`${label} fleet`, slug);
  await expect(page).toHaveURL(new RegExp(`/${slug}$`));
  return slug;
}

async function orgIntegrations(slug: string) {
  return db()<{ id: string; name: string; credentials: string | null; credentials_hint: string | null; external_id: string | null; row: string; org_id: string }[]>`
    select i.id, i.name, i.credentials, i.credentials_hint, i.external_id, i.org_id, to_jsonb(i)::text as row
    from public.integrations i join public.organizations o on o.id = i.org_id
    where o.slug = ${slug} order by i.created_at`;
}

/** Every audit row of the organization (integration rows and the others). */
async function orgAudit(slug: string) {
  return db()<{ action: string; targetType: string; text: string }[]>`
    select a.action, a.target_type as "targetType", a.details::text as text from public.audit_log a join public.organizations o on o.id = a.org_id
    where o.slug = ${slug} order by a.id`;
}

const integrationActions = (rows: { action: string; targetType: string }[]) => rows.filter((r) => r.targetType === 'integration').map((r) => r.action);

/** Every response body the browser receives: HTML pages, RSC payloads, action results, JSON. */
function captureResponses(page: Page) {
  const bodies: { url: string; type: string; body: string }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (/^(image|font)\//.test(type)) return;
    pending.push(
      response.text().then(
        (body) => void bodies.push({ url: response.url(), type, body }),
        () => undefined, // redirects have no body
      ),
    );
  });
  return async () => {
    await Promise.all(pending);
    return bodies;
  };
}

async function appLog(): Promise<string> {
  const file = process.env.E2E_APP_LOG;
  if (!file) throw new Error('E2E_APP_LOG is not set: the global setup writes the app’s output there');
  return readFileSync(file, 'utf8');
}

async function setSimRoleExternalId(externalId: string) {
  const res = await fetch(`${SIM()}/_sim/roles`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ roleArn: DEMO_ROLE_ARN, externalId }),
  });
  expect(res.status).toBe(200);
}

test('access keys without Timestream: exactly that ✗, saved encrypted, listed with its hint and Timestream disabled', async ({ page }, testInfo) => {
  const csp = watchCsp(page);
  const slug = await signUpWithOrg(page, 'keys');
  await page.goto(`/${slug}/integrations`);
  await expect(page.getByRole('heading', { name: 'No AWS account connected' })).toBeVisible();
  await snap(page, testInfo, 'integrations-empty-owner');
  await page.getByRole('link', { name: 'Connect AWS account' }).click();

  const wizard = new IntegrationWizard(page);
  await expect(wizard.heading('How should Fleetline connect?')).toBeVisible();
  await expect(page.getByTestId('trust-policy')).toContainText('"sts:ExternalId"');
  await snap(page, testInfo, 'wizard-1-connection-role');
  await wizard.chooseAccessKeys();
  await expect(page.getByTestId('permission-policy')).toContainText('iot:GetThingShadow');
  await wizard.continue();

  await wizard.fillDetails({
    name: 'Simulator without Timestream',
    accessKeyId: LIMITED_CREDENTIALS.accessKeyId,
    secretAccessKey: LIMITED_CREDENTIALS.secretAccessKey,
    customEndpoint: SIM(),
    timestreamDatabase: DEFAULT_TIMESTREAM_DATABASE,
    timestreamTable: DEFAULT_TIMESTREAM_TABLE,
  });
  await snap(page, testInfo, 'wizard-2-details');
  await wizard.testConnection();
  await expect(wizard.summary()).toHaveText(/Connected\. 2 optional permissions are missing/);
  await expect(wizard.failedChecks()).toHaveCount(2);
  await expect(wizard.check('timestreamQuery')).toHaveAttribute('data-status', 'failed');
  await expect(wizard.check('liveData')).toHaveAttribute('data-status', 'failed');
  await expect(wizard.check('timestreamQuery')).toContainText('AccessDeniedException');
  for (const id of ['endpoint', 'registryRead', 'shadowRead', 'fleetIndexing', 'fleetSearch', 'jobsRead']) {
    await expect(wizard.check(id)).toHaveAttribute('data-status', 'ok');
  }
  await expect(page.getByTestId('sync-mode')).toContainText('Fleet index');
  await expect(page.getByTestId('discovered-endpoint')).toContainText('-ats.iot.us-east-1.amazonaws.com');
  await snap(page, testInfo, 'wizard-3-test-no-timestream');

  // Going back keeps every value, and an unchanged connection is not tested again.
  await wizard.button('Back').click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Simulator without Timestream');
  await expect(page.getByLabel('Secret access key')).toHaveValue(LIMITED_CREDENTIALS.secretAccessKey);
  await wizard.button('Test connection').click();
  await expect(wizard.check('timestreamQuery')).toHaveAttribute('data-status', 'failed');
  await wizard.continue();

  await expect(wizard.heading('Schedule')).toBeVisible();
  await page.getByLabel('Sync interval').selectOption({ label: 'Every 15 minutes' });
  await wizard.continue();
  await expect(wizard.heading('Review and save')).toBeVisible();
  await expect(page.getByTestId('review')).toContainText('AKIA…IT01');
  await expect(page.getByTestId('review')).not.toContainText(LIMITED_CREDENTIALS.accessKeyId);
  await snap(page, testInfo, 'wizard-5-review');
  await wizard.button('Save integration').click();

  await expect(page).toHaveURL(new RegExp(`/${slug}/integrations/[0-9a-f-]{36}\\?created=1$`));
  const detail = new IntegrationPage(page);
  await expect(page.getByRole('heading', { name: 'Simulator without Timestream', level: 1 })).toBeVisible();
  await expect(detail.credentialsHint()).toHaveText('AKIA…IT01');
  await expect(detail.feature('Telemetry from Timestream')).toHaveAttribute('data-state', 'disabled');
  await expect(detail.feature('Telemetry from Timestream')).toContainText('Refused by AWS (AccessDeniedException): grant timestream:Select');
  await expect(detail.feature('Device sync')).toHaveAttribute('data-state', 'enabled');
  await snap(page, testInfo, 'integration-detail');

  await page.getByRole('link', { name: '← Integrations' }).click();
  const row = page.getByTestId('integration-row').filter({ hasText: 'Simulator without Timestream' });
  await expect(row).toContainText('AKIA…IT01');
  await expect(row).toContainText('Active');
  await expect(row).toContainText('us-east-1');
  await snap(page, testInfo, 'integrations-list');

  const [stored] = await orgIntegrations(slug);
  expect(stored!.credentials_hint).toBe('AKIA…IT01');
  expect(stored!.credentials).toMatch(/^v1\./);
  expect(stored!.row).not.toContain(LIMITED_CREDENTIALS.secretAccessKey);
  expect(decryptCredentials(parseKeyring(process.env.FLEETLINE_VAULT_KEYS), { orgId: stored!.org_id, integrationId: stored!.id }, stored!.credentials!)).toEqual(LIMITED_CREDENTIALS);
  expect(csp).toEqual([]);
});

test('a wrong secret gets a clear error and nothing is saved', async ({ page }, testInfo) => {
  const slug = await signUpWithOrg(page, 'wrongsecret');
  const wizard = new IntegrationWizard(page);
  await wizard.open(slug);
  await wizard.chooseAccessKeys();
  await wizard.continue();
  await wizard.fillDetails({
    name: 'Typo',
    accessKeyId: LIMITED_CREDENTIALS.accessKeyId,
    secretAccessKey: `${LIMITED_CREDENTIALS.secretAccessKey.slice(0, 39)}9`,
    customEndpoint: SIM(),
  });
  await wizard.testConnection();
  await expect(wizard.summary()).toHaveText('Authentication failed.');
  await expect(wizard.authFailure()).toContainText('The secret access key does not match this access key id.');
  await expect(wizard.authFailure()).toContainText('InvalidSignatureException');
  await expect(wizard.authFailure()).toContainText('Nothing was saved.');
  await expect(wizard.button('Continue')).toBeDisabled();
  await expect(page.getByRole('button', { name: '4. Schedule' })).toBeDisabled();
  await snap(page, testInfo, 'wizard-3-wrong-secret');
  expect(await orgIntegrations(slug)).toEqual([]);
  expect(integrationActions(await orgAudit(slug))).toEqual([]);
});

test('the role path: a wrong External ID is refused, the one the wizard shows works', async ({ page }, testInfo) => {
  const csp = watchCsp(page);
  const slug = await signUpWithOrg(page, 'role');
  const wizard = new IntegrationWizard(page);
  await wizard.open(slug);
  await wizard.chooseRole();
  const externalId = await wizard.externalId();
  expect(externalId).toMatch(/^fl-[A-Za-z0-9_-]{24}$/);
  await expect(page.getByTestId('trust-policy')).toContainText(externalId);
  const download = page.waitForEvent('download');
  await wizard.button('Download CloudFormation template').click();
  const template = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { Resources: { FleetlineAccessRole: { Properties: { AssumeRolePolicyDocument: unknown } } } };
  expect(JSON.stringify(template.Resources.FleetlineAccessRole.Properties.AssumeRolePolicyDocument)).toContain(externalId);
  await wizard.continue();

  await wizard.fillDetails({ name: 'Simulator role', roleArn: DEMO_ROLE_ARN, customEndpoint: SIM() });
  // The simulator's role still requires its own demo External ID, as a customer's would before they paste ours.
  await wizard.testConnection();
  await expect(wizard.authFailure()).toContainText(`Fleetline could not assume ${DEMO_ROLE_ARN}`);
  await expect(wizard.authFailure()).toContainText(externalId);
  await expect(wizard.authFailure()).toContainText('AccessDenied');
  await expect(wizard.button('Continue')).toBeDisabled();
  await snap(page, testInfo, 'wizard-3-role-wrong-external-id');
  expect(await orgIntegrations(slug)).toEqual([]);

  // "The customer pastes our External ID into the trust policy", then tests again.
  await setSimRoleExternalId(externalId);
  await wizard.button('Test again').click();
  await wizard.waitForTest();
  await expect(wizard.summary()).toHaveText(/^Connected\./);
  await expect(wizard.authFailure()).toHaveCount(0);
  await snap(page, testInfo, 'wizard-3-role-ok');
  await wizard.continue();
  await wizard.continue();
  await expect(wizard.heading('Review and save')).toBeVisible();
  await expect(page.getByTestId('review')).toContainText(externalId);
  await wizard.button('Save integration').click();

  await expect(page).toHaveURL(/\/integrations\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByTestId('integration-external-id')).toHaveText(externalId);
  await snap(page, testInfo, 'integration-detail-role');
  const [stored] = await orgIntegrations(slug);
  expect(stored).toMatchObject({ name: 'Simulator role', credentials: null, credentials_hint: null, external_id: externalId });
  expect(csp).toEqual([]);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('the wizard works with the keyboard: Enter continues, focus moves to each step’s heading', async ({ page }, testInfo) => {
    const slug = await signUpWithOrg(page, 'phone');
    const wizard = new IntegrationWizard(page);
    await wizard.open(slug);
    await expect(page.getByText('Step 1 of 5')).toBeVisible();
    await snap(page, testInfo, 'mobile-wizard-1-connection');
    await page.getByRole('radio', { name: /^Access keys/ }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect(wizard.heading('Connection details')).toBeFocused();

    await page.getByLabel('Name', { exact: true }).fill('Phone');
    await page.getByLabel('Access key id').fill(DEMO_CREDENTIALS.accessKeyId);
    await page.getByText('Advanced: custom endpoint and Timestream').click();
    await page.getByLabel('Custom endpoint').fill(SIM());
    await page.getByLabel('Secret access key').fill(DEMO_CREDENTIALS.secretAccessKey);
    await snap(page, testInfo, 'mobile-wizard-2-details');
    await page.keyboard.press('Enter');
    await expect(wizard.heading('Test connection')).toBeFocused();
    await wizard.waitForTest();
    await expect(wizard.summary()).toHaveText('Connected. Every permission Fleetline tests is granted.');
    await snap(page, testInfo, 'mobile-wizard-3-test');
    await wizard.continue();
    await expect(wizard.heading('Schedule')).toBeFocused();
    await wizard.continue();
    await expect(wizard.heading('Review and save')).toBeFocused();
    await snap(page, testInfo, 'mobile-wizard-5-review');
  });
});

test('nothing the wizard makes the server produce holds the secret: pages, RSC, JSON, logs, audit rows, the row', async ({ page }) => {
  const responses = captureResponses(page);
  const slug = await signUpWithOrg(page, 'leak');
  const wizard = new IntegrationWizard(page);
  await wizard.open(slug);
  await wizard.chooseAccessKeys();
  await wizard.continue();
  const wrongSecret = `${DEMO_CREDENTIALS.secretAccessKey.slice(0, 39)}7`;
  await wizard.fillDetails({ name: 'Leak check', accessKeyId: DEMO_CREDENTIALS.accessKeyId, secretAccessKey: wrongSecret, customEndpoint: SIM() });
  await wizard.testConnection();
  await expect(wizard.authFailure()).toBeVisible();
  await wizard.button('Back').click();
  await page.getByLabel('Secret access key').fill(DEMO_CREDENTIALS.secretAccessKey);
  await wizard.testConnection();
  await wizard.continue();
  await wizard.continue();
  await wizard.button('Save integration').click();
  await expect(page).toHaveURL(/\/integrations\/[0-9a-f-]{36}\?created=1$/);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText('Connection OK: every tested permission is granted.')).toBeVisible();
  await page.goto(`/${slug}/integrations`);
  await expect(page.getByTestId('integration-row')).toHaveCount(1);

  const [stored] = await orgIntegrations(slug);
  const secrets = [DEMO_CREDENTIALS.secretAccessKey, wrongSecret];

  // Responses: HTML pages, RSC payloads and server-action results were captured (they carry the hint)…
  const bodies = await responses();
  expect(bodies.some((b) => b.type.startsWith('text/html'))).toBe(true);
  expect(bodies.filter((b) => b.type.startsWith('text/x-component')).length).toBeGreaterThan(3);
  expect(bodies.some((b) => /AKIA(…|\\u2026)O001/.test(b.body))).toBe(true);
  // …and none holds a secret, or even the full access key id.
  for (const b of bodies) {
    for (const secret of [...secrets, DEMO_CREDENTIALS.accessKeyId]) expect(b.body.includes(secret), `${b.url} (${b.type})`).toBe(false);
  }

  // Server log: the app logged this integration's creation, and no secret.
  await expect.poll(async () => (await appLog()).includes(stored!.id)).toBe(true);
  const log = await appLog();
  expect(log).toContain('integration created');
  for (const secret of secrets) expect(log).not.toContain(secret);

  // Audit rows (all of the organization's): created and tested, hint only.
  const audit = await orgAudit(slug);
  expect(integrationActions(audit)).toEqual(['integration.created', 'integration.tested']);
  for (const a of audit) {
    for (const secret of [...secrets, DEMO_CREDENTIALS.accessKeyId]) expect(a.text).not.toContain(secret);
  }

  // The row: only the vault token, which decrypts to the right key.
  expect(stored!.row).not.toContain(DEMO_CREDENTIALS.secretAccessKey);
  expect(stored!.credentials).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  expect(decryptCredentials(parseKeyring(process.env.FLEETLINE_VAULT_KEYS), { orgId: stored!.org_id, integrationId: stored!.id }, stored!.credentials!)).toEqual(DEMO_CREDENTIALS);
});

test('operators and viewers see integrations read-only', async ({ browser }) => {
  const owner = await browser.newPage();
  const slug = await signUpWithOrg(owner, 'readonly');
  const [org] = await db()<{ id: string }[]>`select id from public.organizations where slug = ${slug}`;
  const viewerEmail = uniqueEmail('viewer');
  const viewerPage = await browser.newPage();
  await new AuthPages(viewerPage).signUp(viewerEmail, PASSWORD);
  await expect(viewerPage).toHaveURL(/\/orgs\/new$/);
  await db()`insert into public.memberships (org_id, user_id, role) select ${org!.id}, id, 'viewer' from auth.users where email = ${viewerEmail}`;

  await viewerPage.goto(`/${slug}/integrations`);
  await expect(viewerPage.getByText('Ask one of them to connect it.')).toBeVisible();

  const [integration] = await db()<{ id: string }[]>`
    insert into public.integrations (org_id, name, region, auth_type, role_arn, external_id, status)
    values (${org!.id}, 'Read-only role', 'eu-west-1', 'assume_role', ${DEMO_ROLE_ARN}, 'fl-readonlyreadonlyreadonl', 'active')
    returning id`;
  await viewerPage.goto(`/${slug}/integrations/${integration!.id}`);
  await expect(viewerPage.getByRole('heading', { name: 'Read-only role', level: 1 })).toBeVisible();
  await expect(viewerPage.getByText('integrations are read-only for you')).toBeVisible();
  for (const name of ['Test connection', 'Pause syncing', 'Save changes', 'Test and rotate', 'Delete integration…']) {
    await expect(viewerPage.getByRole('button', { name })).toHaveCount(0);
  }
  await expect(viewerPage.getByRole('heading', { name: 'Settings' })).toHaveCount(0);
  await viewerPage.goto(`/${slug}/integrations`);
  await expect(viewerPage.getByTestId('integration-row')).toContainText('Read-only role');
  await expect(viewerPage.getByRole('link', { name: 'Connect AWS account' })).toHaveCount(0);
  await viewerPage.goto(`/${slug}/integrations/new`);
  await expect(viewerPage.getByRole('heading', { name: 'Only admins and owners connect AWS accounts' })).toBeVisible();
  await expect(viewerPage.getByTestId('external-id')).toHaveCount(0);
  await owner.close();
  await viewerPage.close();
});
