import { expect, type Page } from '@playwright/test';

/** Page objects for the notification channels list and a channel's page. */
export class NotificationsPage {
  constructor(private readonly page: Page) {}

  async open(slug: string) {
    await this.page.goto(`/${slug}/settings/notifications`);
    await expect(this.page.getByRole('heading', { name: 'Notifications', level: 1 })).toBeVisible();
  }

  rows() {
    return this.page.getByTestId('channel-row');
  }

  row(name: string) {
    return this.rows().filter({ hasText: name });
  }

  createForm() {
    return this.page.getByRole('form', { name: 'Add a channel' });
  }

  secretNotice() {
    return this.page.getByTestId('signing-secret-notice');
  }

  async secret(): Promise<string> {
    const text = (await this.page.getByTestId('signing-secret').textContent())?.trim() ?? '';
    expect(text).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    return text;
  }

  /** Fills the webhook form by keyboard and submits it with Enter. */
  async createWebhook(name: string, url: string, format: 'JSON (signed)' | 'Slack-compatible' = 'JSON (signed)') {
    const form = this.createForm();
    await form.getByLabel('Webhook', { exact: true }).check();
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Format').selectOption({ label: format });
    await form.getByLabel('Webhook URL').fill(url);
    await form.getByLabel('Webhook URL').press('Enter');
  }

  async createEmail(name: string, recipients: string[]) {
    const form = this.createForm();
    await form.getByLabel('E-mail', { exact: true }).check();
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Recipients').fill(recipients.join('\n'));
    await form.getByRole('button', { name: 'Add channel' }).click();
  }
}

export class ChannelPage {
  constructor(private readonly page: Page) {}

  heading(name: string) {
    return this.page.getByRole('heading', { name, level: 1 });
  }

  button(name: string) {
    return this.page.getByRole('button', { name, exact: true });
  }

  testOutcome() {
    return this.page.getByTestId('test-outcome');
  }

  deliveries() {
    return this.page.getByTestId('delivery-row');
  }
}
