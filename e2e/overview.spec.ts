import { CancelJobCommand, CreateJobCommand, IoTClient } from '@aws-sdk/client-iot';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION } from '../scripts/sim/config';
import { DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { AuthPages, uniqueEmail } from './pages/auth-pages';
import { OverviewPage, type KpiKey } from './pages/overview-page';

/**
 * The demo organization's overview against its synced fleet: KPI numbers equal the database's
 * counts, every card opens the device list with the matching filter, an OTA job created in the
 * simulator shows up after a sync, and screenshots at desktop and mobile widths in both themes.
 */

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

/** A named full-page screenshot, kept in the test's output folder and attached to the report. */
async function snap(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

async function signInToDemo(page: Page) {
  await new AuthPages(page).signIn(DEMO_USER.email, DEMO_USER.password);
  await expect(page).not.toHaveURL(/\/login/);
}

/** Live devices of the demo organization by status, straight from the database. */
async function databaseCounts(): Promise<Record<KpiKey, number>> {
  const rows = await db()<{ status: string; n: number }[]>`
    select d.status::text, count(*)::int as n
    from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null
    group by d.status`;
  const counts = { total: 0, online: 0, offline: 0, stale: 0, unknown: 0 };
  for (const r of rows) {
    counts[r.status as Exclude<KpiKey, 'total'>] = r.n;
    counts.total += r.n;
  }
  return counts;
}

test('the overview shows the database counts, and every card opens the filtered device list', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('console', (msg) => {
    // The app ships no favicon yet; the browser's request for one is not the overview's error.
    if (msg.location().url.endsWith('/favicon.ico')) return;
    if (msg.type() === 'error' || /Content[ -]Security[ -]Policy/i.test(msg.text())) errors.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.setViewportSize(DESKTOP);
  await signInToDemo(page);
  const overview = new OverviewPage(page);

  // The worker keeps syncing the demo fleet; compare a page load with the database as it was around it.
  await expect(async () => {
    const before = await databaseCounts();
    await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
    const shown = {
      total: await overview.kpiValue('total'),
      online: await overview.kpiValue('online'),
      offline: await overview.kpiValue('offline'),
      stale: await overview.kpiValue('stale'),
      unknown: before.unknown > 0 ? await overview.kpiValue('unknown') : 0,
    };
    expect(await databaseCounts()).toEqual(before);
    expect(shown).toEqual(before);
    expect(before.total).toBeGreaterThan(0);
  }).toPass({ timeout: 45_000 });

  // The most common firmware version: the bar's number and link match the database.
  const [top] = await db()<{ firmware_version: string; n: number }[]>`
    select d.firmware_version, count(*)::int as n from public.devices d join public.organizations o on o.id = d.org_id
    where o.slug = ${DEMO_ORG.slug} and d.removed_at is null and d.firmware_version is not null
    group by 1 order by 2 desc, 1 limit 1`;
  await expect(async () => {
    await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
    expect(await overview.valueCount('firmware', top!.firmware_version)).toBe(top!.n);
  }).toPass({ timeout: 30_000 });
  await expect(overview.card('firmware').getByRole('link', { name: top!.firmware_version, exact: true })).toHaveAttribute(
    'href',
    `/${DEMO_ORG.slug}/devices?firmware=${encodeURIComponent(top!.firmware_version)}`,
  );
  await expect(overview.card('sync').getByTestId('sync-strip-row')).toHaveCount(1);
  await expect(page.getByTestId('chart-overview-firmware').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await snap(page, testInfo, 'overview-desktop-values');

  // KPI cards and chart links land on the device list with the filter in the query string.
  await overview.kpi('offline').click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices\\?status=offline$`));
  await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
  await overview.kpi('total').click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices$`));
  await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
  await (await overview.values('types')).getByRole('link').first().click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices\\?type=[\\w-]+$`));
  await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
  await (await overview.values('groups')).getByRole('link').first().click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices\\?group=[\\w-]+$`));
  await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
  await overview.card('battery').getByTestId('low-battery').click();
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices\\?batteryBelow=20$`));

  // Keyboard: the first KPI card is reachable and opens with Enter.
  await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
  await overview.kpi('online').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/devices\\?status=online$`));

  expect(errors).toEqual([]);
});

test('an OTA job started in AWS appears on the overview after a sync, with a link to its page', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await page.setViewportSize(DESKTOP);
  await signInToDemo(page);
  const overview = new OverviewPage(page);

  // Two of the demo's things, one long offline so the job stays in progress until it is cancelled.
  const things = await db()<{ thing_name: string }[]>`
    (select d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
     where o.slug = ${DEMO_ORG.slug} and d.removed_at is null and d.status = 'offline' order by d.last_seen_at nulls first limit 1)
    union all
    (select d.thing_name from public.devices d join public.organizations o on o.id = d.org_id
     where o.slug = ${DEMO_ORG.slug} and d.removed_at is null and d.status = 'online' order by d.thing_name limit 1)`;
  expect(things).toHaveLength(2);
  const iot = new IoTClient({ endpoint: process.env.FLEETLINE_AWS_SIM_ENDPOINT, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } });
  const jobId = `e2e-overview-${Date.now().toString(36)}`;
  await iot.send(
    new CreateJobCommand({
      jobId,
      description: 'Overview E2E: config refresh',
      document: JSON.stringify({ operation: 'refresh-config' }),
      targets: things.map((t) => `arn:aws:iot:${DEMO_REGION}:${DEMO_ACCOUNT_ID}:thing/${t.thing_name}`),
    }),
  );
  try {
    await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
    const syncNow = overview.card('sync').getByRole('button', { name: 'Sync now' });
    if (await syncNow.isEnabled()) await syncNow.click();
    // The overview refetches when the sync finishes; no reload.
    await expect(overview.otaJob(jobId)).toBeVisible({ timeout: 120_000 });
    const [row] = await db()<{ id: string }[]>`select id from public.ota_jobs where job_id = ${jobId}`;
    await expect(overview.otaJob(jobId).getByRole('link', { name: jobId })).toHaveAttribute('href', `/${DEMO_ORG.slug}/ota/${row!.id}`);
    await expect(overview.otaJob(jobId).getByRole('img')).toHaveAttribute('aria-label', /of 2$/);
    await overview.card('ota').scrollIntoViewIfNeeded();
    await snap(page, testInfo, 'overview-desktop-active-job');
  } finally {
    await iot.send(new CancelJobCommand({ jobId, force: true }));
    iot.destroy();
  }
});

test('desktop and mobile, light and dark', async ({ browser }, testInfo) => {
  for (const [label, viewport] of [['desktop', DESKTOP], ['mobile', MOBILE]] as const) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await signInToDemo(page);
    const overview = new OverviewPage(page);
    await overview.open(DEMO_ORG.slug, DEMO_ORG.name);
    await expect(overview.kpi('total')).toBeVisible();
    await expect(page.getByTestId('chart-overview-battery').locator('.recharts-bar-rectangle').first()).toBeVisible();
    // Nothing wider than the screen: the page never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

    for (const theme of ['light', 'dark'] as const) {
      if (label === 'desktop') {
        // The shell's toggle cycles system → light → dark.
        const toggle = page.getByRole('button', { name: /^Theme: / });
        while ((await toggle.innerText()) !== `Theme: ${theme}`) await toggle.click();
      } else {
        await context.addCookies([{ name: 'theme', value: theme, url: page.url() }]);
        await page.reload();
      }
      await expect(page.locator('html')).toHaveClass(new RegExp(`\\b${theme}\\b`));
      await expect(page.getByTestId('chart-overview-battery').locator('.recharts-bar-rectangle').first()).toBeVisible();
      await snap(page, testInfo, `overview-${label}-${theme}`);
    }
    await context.close();
  }
});

test('the overview JSON needs a session and a membership', async ({ page, request }) => {
  const anonymous = await request.get(`/api/orgs/${DEMO_ORG.slug}/overview`);
  expect(anonymous.status()).toBe(401);

  const auth = new AuthPages(page);
  await auth.signUp(uniqueEmail('outsider'), 'correct-horse-battery');
  await expect(page).toHaveURL(/\/orgs\/new$/);
  const stranger = await page.request.get(`/api/orgs/${DEMO_ORG.slug}/overview`);
  expect(stranger.status()).toBe(404);
  expect(await stranger.text()).not.toMatch(/online|firmware/);

  await signInToDemo(page);
  await expect(async () => {
    const before = await databaseCounts();
    const member = await page.request.get(`/api/orgs/${DEMO_ORG.slug}/overview`);
    expect(member.status()).toBe(200);
    const body = (await member.json()) as { devices: Record<KpiKey, number> };
    expect(await databaseCounts()).toEqual(before);
    expect(body.devices).toEqual(before);
  }).toPass({ timeout: 30_000 });
});
