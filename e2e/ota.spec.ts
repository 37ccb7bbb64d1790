import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { AuthPages, uniqueEmail } from './pages/auth-pages';
import { OtaJobPage, OtaListPage, OtaWizard } from './pages/ota-pages';

/**
 * OTA jobs on the demo organization (200 simulated things, synced by the real worker): the owner
 * launches a job for a thing group with an exponential rollout through the wizard, watches the
 * counts move while the simulator runs it, cancels without force, and sees QUEUED executions
 * become CANCELED while IN_PROGRESS ones finish. An operator follows the job read-only.
 */
const SIM = () => process.env.FLEETLINE_AWS_SIM_ENDPOINT!;
const GROUP = 'site-berlin';

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function signIn(browser: Browser, user: { email: string; password: string }, viewport = { width: 1280, height: 800 }, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  await new AuthPages(page).signIn(user.email, user.password);
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}$`));
  return page;
}

async function simBehaviour(body?: unknown): Promise<unknown> {
  const res = await fetch(`${SIM()}/_sim/behaviour`, body ? { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  expect(res.ok).toBe(true);
  return res.json();
}

let savedJobs: unknown;

test.beforeAll(async () => {
  // Jobs copy these settings when created, so only this spec's job runs faster: devices pick an
  // update up within 2 s and finish in 10–20 s (real time), and none fail.
  savedJobs = ((await simBehaviour()) as { jobs: unknown }).jobs;
  await simBehaviour({ jobs: { failureRate: 0, pickupMs: [500, 2_000], runMs: [10_000, 20_000] } });
});

test.afterAll(async () => {
  if (savedJobs) await simBehaviour({ jobs: savedJobs });
});

test('an owner launches a group job with an exponential rollout, watches it progress and cancels it without force', async ({ browser }, testInfo) => {
  test.setTimeout(150_000);
  const jobId = `e2e-fw-${Date.now().toString(36)}`;
  const page = await signIn(browser, DEMO_USER);
  const list = new OtaListPage(page);
  await list.open(DEMO_ORG.slug);
  await snap(page, testInfo, 'ota-list-before-desktop');

  // The wizard, with the defaults operators expect stated on each step.
  await page.getByRole('link', { name: 'Create job' }).first().click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/ota/new$`));
  const wizard = new OtaWizard(page);
  await snap(page, testInfo, 'ota-wizard-targets-desktop');
  await wizard.pickGroup(GROUP);
  // A bad URL is refused on the step, with the message next to the field.
  await wizard.heading('Job document');
  await page.getByLabel('Firmware version').fill('3.0.0');
  await page.getByLabel('Firmware URL').fill('http://insecure.example.com/fw.bin');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#ota-firmwareUrl-error')).toContainText('https://');
  await expect(page.getByLabel('Job id')).toHaveValue(/^fw-3-0-0-\d{8}-\d{4}$/);
  await wizard.firmware('3.0.0', 'https://firmware.example.com/sensor-3.0.0.bin', jobId);
  await expect(page.getByTestId('rollout-sentence')).toContainText('starts with 5 things a minute');
  await wizard.exponential({ startingRate: 20 });
  await expect(page.getByTestId('abort-sentence')).toContainText('10 % or more');
  await snap(page, testInfo, 'ota-wizard-safety-desktop');
  await wizard.keepSafetyDefaults();
  await expect(page.getByTestId('review')).toContainText(GROUP);
  await expect(page.getByTestId('review')).toContainText('starts with 20 things a minute');
  await snap(page, testInfo, 'ota-wizard-review-desktop');
  await wizard.launch();

  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/ota/[0-9a-f-]{36}$`));
  const otaJobId = page.url().split('/').pop()!;
  const job = new OtaJobPage(page);
  await expect(page.getByRole('heading', { name: jobId, level: 1 })).toBeVisible();
  await expect(job.status()).toHaveText('In progress');
  await expect(page.getByTestId('job-document')).toContainText('"firmwareVersion": "3.0.0"');
  await expect(page.getByTestId('job-config')).toContainText('Exponential: 20 things/min, ×2 each time 5 succeed, up to 100/min');

  const [members] = await db()<{ n: number }[]>`
    select count(*)::int as n from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null and ${GROUP} = any(d.groups)`;
  const total = members!.n;
  expect(total).toBeGreaterThan(10);

  // Watch the counts move in the UI while the simulator runs the job: devices start, then succeed.
  const first = await job.counts();
  expect(Object.values(first).reduce((a, b) => a + b, 0)).toBe(total);
  await expect(async () => {
    const c = await job.counts();
    expect(c.SUCCEEDED).toBeGreaterThan(0);
    expect(c.IN_PROGRESS).toBeGreaterThan(0);
    expect(c.QUEUED).toBeGreaterThan(0);
  }).toPass({ timeout: 45_000 });
  const progressed = await job.counts();
  expect(progressed.QUEUED).toBeLessThan(first.QUEUED);
  await snap(page, testInfo, 'ota-job-running-desktop');

  // Cancel without force: queued executions stop, running ones finish.
  await job.cancel({ force: false, comment: 'e2e: stop after the canary' });
  await expect(job.status()).toHaveText('Canceled');
  const [cancelEvent] = await db()<{ details: { force: boolean; comment: string } }[]>`
    select details from public.ota_job_events where ota_job_id = ${otaJobId} and kind = 'cancel_requested'`;
  expect(cancelEvent!.details).toMatchObject({ force: false, comment: 'e2e: stop after the canary' });
  // What was running when the cancel landed (the cancel request refreshed the cache before answering).
  const runningAtCancel = (await db()<{ thing_name: string }[]>`
    select thing_name from public.ota_job_executions where ota_job_id = ${otaJobId} and status = 'IN_PROGRESS'`).map((r) => r.thing_name);
  await expect(async () => expect(await job.count('QUEUED')).toBe(0)).toPass({ timeout: 10_000 });
  expect(await job.count('CANCELED')).toBeGreaterThan(0);
  await snap(page, testInfo, 'ota-job-canceled-desktop');

  // The running ones reach their own result; the page stops following once nothing can change.
  await expect(page.getByText('Finished: nothing changes any more.')).toBeVisible({ timeout: 45_000 });
  const done = await job.counts();
  expect(done.IN_PROGRESS).toBe(0);
  expect(done.SUCCEEDED + done.CANCELED).toBe(total);
  expect(done.SUCCEEDED).toBeGreaterThanOrEqual(progressed.SUCCEEDED);

  const rows = await db()<{ thing_name: string; status: string; started_at: Date | null }[]>`
    select thing_name, status, started_at from public.ota_job_executions where ota_job_id = ${otaJobId}`;
  expect(rows).toHaveLength(total);
  const byThing = new Map(rows.map((r) => [r.thing_name, r]));
  for (const t of runningAtCancel) expect(byThing.get(t)?.status).toBe('SUCCEEDED');
  // Canceled executions never started: only QUEUED ones were stopped.
  for (const r of rows.filter((x) => x.status === 'CANCELED')) expect(r.started_at).toBeNull();
  for (const r of rows.filter((x) => x.started_at !== null)) expect(r.status).toBe('SUCCEEDED');

  await expect(page.getByTestId('job-timeline')).toContainText(`Cancel requested by ${DEMO_USER.email}`);
  await expect(page.getByTestId('job-timeline')).toContainText('Status In progress → Canceled');
  await page.getByLabel('Execution status').selectOption('CANCELED');
  await expect(page.getByTestId('execution-row').first()).toContainText('Canceled');
  await expect(page.getByTestId('executions-shown')).toContainText(`of ${done.CANCELED} shown`);
  await snap(page, testInfo, 'ota-job-finished-desktop');

  const audit = await db()<{ action: string; details: Record<string, unknown> }[]>`
    select action, details from public.audit_log where target_type = 'ota_job' and target_id = ${otaJobId} order by id`;
  expect(audit.map((a) => a.action)).toEqual(['ota_job.created', 'ota_job.canceled']);
  expect(audit[1]!.details).toMatchObject({ force: false });

  await list.open(DEMO_ORG.slug);
  await expect(list.row(jobId)).toContainText('Canceled');
  await expect(list.row(jobId)).toContainText(`group ${GROUP}`);
  await snap(page, testInfo, 'ota-list-desktop');

  // The same pages on a phone, in the dark theme.
  const phone = await signIn(browser, DEMO_USER, { width: 390, height: 844 }, 'dark');
  await phone.goto(`/${DEMO_ORG.slug}/ota`);
  await expect(new OtaListPage(phone).row(jobId)).toBeVisible();
  await snap(phone, testInfo, 'ota-list-mobile-dark');
  await phone.goto(`/${DEMO_ORG.slug}/ota/${otaJobId}`);
  await expect(phone.getByRole('heading', { name: jobId, level: 1 })).toBeVisible();
  await expect(phone.getByTestId('executions-shown')).toContainText(`of ${total} shown`);
  await snap(phone, testInfo, 'ota-job-mobile-dark');
  await phone.goto(`/${DEMO_ORG.slug}/ota/new`);
  await expect(phone.getByRole('heading', { name: 'Targets', level: 2 })).toBeVisible();
  await snap(phone, testInfo, 'ota-wizard-mobile-dark');
  await phone.context().close();

  // An operator follows the job but cannot launch or cancel one. (A fresh operator: the seeded
  // demo operator's JWT carries role "operator" instead of "authenticated", so it cannot sign in.)
  const operatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const operator = await operatorContext.newPage();
  const operatorEmail = uniqueEmail('ota-operator');
  await new AuthPages(operator).signUp(operatorEmail, 'correct-horse-battery');
  await expect(operator).toHaveURL(/\/orgs\/new$/);
  await db()`
    insert into public.memberships (org_id, user_id, role)
    select o.id, u.id, 'operator' from public.organizations o, auth.users u where o.slug = ${DEMO_ORG.slug} and u.email = ${operatorEmail}`;
  await operator.goto(`/${DEMO_ORG.slug}/ota/${otaJobId}`);
  await expect(operator.getByRole('heading', { name: jobId, level: 1 })).toBeVisible();
  await expect(operator.getByRole('button', { name: /Cancel job/ })).toHaveCount(0);
  await operator.goto(`/${DEMO_ORG.slug}/ota`);
  await expect(operator.getByRole('link', { name: 'Create job' })).toHaveCount(0);
  await operator.goto(`/${DEMO_ORG.slug}/ota/new`);
  await expect(operator.getByText('Only admins and owners launch OTA jobs')).toBeVisible();
  await operator.context().close();
  await page.context().close();
});
