import { expect, test } from '@playwright/test';
import { DEMO_ORG, DEMO_USER } from '../scripts/seed';
import { db } from './db';
import { AuthPages } from './pages/auth-pages';
import { OtaJobPage, OtaWizard } from './pages/ota-pages';

/**
 * The health guard in the UI: the owner picks a guard rule with the keyboard in the create-job
 * wizard, sees it in the review, and the job page's Health guard card lists it and, after the real
 * worker's next alert evaluation, the current shares of updated and waiting devices. The rule never
 * fires (battery below 0 %), so the guard watches without stopping anything; the job is canceled at the end.
 */
test('an owner guards a rollout with an alert rule and follows the guard on the job page', async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36);
  const ruleName = `e2e guard ${suffix}`;
  const jobId = `e2e-guard-${suffix}`;
  await db()`
    insert into public.alert_rules (org_id, name, kind, severity, condition)
    select id, ${ruleName}, 'threshold', 'warning', ${db().json({ kind: 'threshold', metric: 'battery', op: 'lt', value: 0, forSeconds: 0 })}
    from public.organizations where slug = ${DEMO_ORG.slug}`;

  await new AuthPages(page).signIn(DEMO_USER.email, DEMO_USER.password);
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}$`));
  await page.goto(`/${DEMO_ORG.slug}/ota/new`);
  const wizard = new OtaWizard(page);
  await wizard.pickGroup('site-paris');
  await wizard.firmware('3.1.0', 'https://firmware.example.com/sensor-3.1.0.bin', jobId);
  await wizard.heading('Rollout');
  await page.getByRole('button', { name: 'Continue' }).click();

  await wizard.heading('Abort, timeout and retries');
  await expect(page.getByTestId('guard-sentence')).toContainText('No health guard');
  // Keyboard only: focus the rule's checkbox, tick it with Space, then type the parameter.
  const rule = page.getByRole('checkbox', { name: new RegExp(ruleName) });
  await rule.focus();
  await page.keyboard.press('Space');
  await expect(rule).toBeChecked();
  await page.getByLabel('Judge after (updated devices)').fill('5');
  await expect(page.getByTestId('guard-sentence')).toContainText(`open alerts of ${ruleName}`);
  await expect(page.getByTestId('guard-sentence')).toContainText('once 5 or more took it');
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByTestId('review')).toContainText(`open alerts of ${ruleName}`);
  await wizard.launch();
  // Launching waits for AWS (CreateJob, then the first refresh): slower than a page load on a busy machine.
  await expect(page).toHaveURL(new RegExp(`/${DEMO_ORG.slug}/ota/[0-9a-f-]{36}$`), { timeout: 30_000 });
  const otaJobId = page.url().split('/').pop()!;

  const [stored] = await db()<{ min_treated: number; margin_percent: string; confidence: string; names: string[] }[]>`
    select g.min_treated, g.margin_percent, g.confidence, array(select r.name from public.alert_rules r where r.id = any(g.rule_ids)) as names
    from public.ota_job_guards g where g.ota_job_id = ${otaJobId}`;
  expect(stored).toEqual({ min_treated: 5, margin_percent: '10.00', confidence: '0.950', names: [ruleName] });

  const card = page.getByTestId('job-guard');
  await expect(card).toContainText(ruleName);
  await expect(card).toContainText('once 5 or more were updated');
  // The worker checks the guard after its next evaluation (after a sync, or the minute tick); the page polls.
  await expect(card.getByRole('table', { name: 'Guard rule shares at the last check' })).toBeVisible({ timeout: 120_000 });
  await expect(card.getByRole('row', { name: new RegExp(ruleName) })).toContainText('0.0 %');
  await expect(page.getByTestId('job-status')).toHaveText('In progress');

  await new OtaJobPage(page).cancel({ force: false, comment: 'e2e: guard spec done' });
  await expect(page.getByTestId('job-status')).toHaveText('Canceled');
  await db()`delete from public.alert_rules where name = ${ruleName}`;
});
