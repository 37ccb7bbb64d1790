import { expect, type Page } from '@playwright/test';

export interface WizardDetails {
  name: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  roleArn?: string;
  customEndpoint?: string;
  timestreamDatabase?: string;
  timestreamTable?: string;
}

/** Page objects for the integrations list, the "Connect AWS account" wizard and an integration's page. */
export class IntegrationWizard {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string) {
    await this.page.goto(`/${orgSlug}/integrations/new`);
    await expect(this.heading('How should Fleetline connect?')).toBeVisible();
  }

  heading(name: string) {
    return this.page.getByRole('heading', { name, level: 2 });
  }

  button(name: string) {
    return this.page.getByRole('button', { name, exact: true });
  }

  async chooseAccessKeys() {
    await this.page.getByRole('radio', { name: /^Access keys/ }).check();
  }

  async chooseRole() {
    await this.page.getByRole('radio', { name: /^IAM role/ }).check();
  }

  externalId(): Promise<string> {
    return this.page.getByTestId('external-id').inputValue();
  }

  async continue() {
    await this.button('Continue').click();
  }

  async fillDetails(d: WizardDetails) {
    await expect(this.heading('Connection details')).toBeVisible();
    await this.page.getByLabel('Name', { exact: true }).fill(d.name);
    if (d.region) await this.page.getByLabel('AWS region').selectOption(d.region);
    if (d.accessKeyId !== undefined) await this.page.getByLabel('Access key id').fill(d.accessKeyId);
    if (d.secretAccessKey !== undefined) await this.page.getByLabel('Secret access key').fill(d.secretAccessKey);
    if (d.roleArn !== undefined) await this.page.getByLabel('Role ARN').fill(d.roleArn);
    if (d.customEndpoint !== undefined || d.timestreamDatabase !== undefined) {
      const advanced = this.page.locator('details');
      if (!(await advanced.evaluate((el) => (el as HTMLDetailsElement).open))) await this.page.getByText('Advanced: custom endpoint and Timestream').click();
      if (d.customEndpoint !== undefined) await this.page.getByLabel('Custom endpoint').fill(d.customEndpoint);
      if (d.timestreamDatabase !== undefined) await this.page.getByLabel('Timestream database').fill(d.timestreamDatabase);
      if (d.timestreamTable !== undefined) await this.page.getByLabel('Timestream table').fill(d.timestreamTable);
    }
  }

  /** Submits the details and waits until the connection test has answered. */
  async testConnection() {
    await this.button('Test connection').click();
    await this.waitForTest();
  }

  async waitForTest() {
    await expect(this.heading('Test connection')).toBeVisible();
    await expect(this.summary()).not.toHaveText(/Testing the connection|Not tested yet/, { timeout: 20_000 });
  }

  summary() {
    return this.page.getByTestId('test-summary');
  }

  authFailure() {
    return this.page.getByTestId('auth-failure');
  }

  failedChecks() {
    return this.page.locator('[data-testid^="check-"][data-status="failed"]');
  }

  check(id: string) {
    return this.page.getByTestId(`check-${id}`);
  }
}

export class IntegrationPage {
  constructor(private readonly page: Page) {}

  feature(name: string) {
    return this.page.getByTestId('feature').filter({ has: this.page.getByText(name, { exact: true }) });
  }

  credentialsHint() {
    return this.page.getByTestId('credentials-hint');
  }
}
