import { expect, type Locator, type Page } from '@playwright/test';

const STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED'] as const;

/** Page objects for the OTA list, the create-job wizard and a job's page. */
export class OtaListPage {
  constructor(private readonly page: Page) {}

  async open(slug: string) {
    await this.page.goto(`/${slug}/ota`);
    await expect(this.page.getByRole('heading', { name: 'OTA jobs', level: 1 })).toBeVisible();
  }

  row(jobId: string): Locator {
    return this.page.getByTestId('ota-job-row').filter({ has: this.page.getByRole('link', { name: jobId, exact: true }) });
  }
}

export class OtaWizard {
  constructor(private readonly page: Page) {}

  private next() {
    return this.page.getByRole('button', { name: 'Continue' }).click();
  }

  async heading(name: string | RegExp) {
    await expect(this.page.getByRole('heading', { name, level: 2 })).toBeVisible();
  }

  async pickGroup(group: string) {
    await this.heading('Targets');
    await this.page.getByRole('radio', { name: /Thing groups/ }).check();
    await this.page.getByRole('checkbox', { name: new RegExp(`^${group}\\b`) }).check();
    await this.next();
  }

  async firmware(version: string, url: string, jobId: string) {
    await this.heading('Job document');
    await this.page.getByLabel('Firmware version').fill(version);
    await this.page.getByLabel('Firmware URL').fill(url);
    await this.page.getByLabel('Job id').fill(jobId);
    await this.next();
  }

  async exponential(options: { startingRate: number }) {
    await this.heading('Rollout');
    await this.page.getByRole('radio', { name: /Exponential/ }).check();
    await this.page.getByLabel('Starting rate (things per minute)').fill(String(options.startingRate));
    await this.next();
  }

  async keepSafetyDefaults() {
    await this.heading('Abort, timeout and retries');
    await this.next();
  }

  async launch() {
    await this.heading('Review and launch');
    await this.page.getByRole('button', { name: 'Launch job' }).click();
  }
}

export class OtaJobPage {
  constructor(private readonly page: Page) {}

  /** The number next to an execution status in the legend (the chart's accessible numbers). */
  async count(status: string): Promise<number> {
    const text = await this.page.getByTestId(`count-${status}`).locator('dd').innerText();
    return Number(text.replace(/,/g, ''));
  }

  async counts(): Promise<Record<(typeof STATUSES)[number], number>> {
    const out = {} as Record<(typeof STATUSES)[number], number>;
    for (const s of STATUSES) out[s] = await this.count(s);
    return out;
  }

  status(): Locator {
    return this.page.getByTestId('job-status');
  }

  async cancel(options: { force: boolean; comment: string }) {
    await this.page.getByRole('button', { name: 'Cancel job…' }).click();
    const dialog = this.page.getByRole('dialog', { name: /^Cancel / });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Without force, only QUEUED executions are canceled');
    await expect(dialog).toContainText('Force also cancels IN_PROGRESS executions — devices may be left mid-update.');
    const force = dialog.getByRole('checkbox', { name: /Force/ });
    if (options.force) await force.check();
    else await expect(force).not.toBeChecked();
    await dialog.getByLabel('Comment (optional)').fill(options.comment);
    await dialog.getByRole('button', { name: options.force ? 'Force-cancel' : 'Cancel queued executions' }).click();
    await expect(dialog).toBeHidden();
  }
}
