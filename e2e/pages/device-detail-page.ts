import { expect, type Locator, type Page } from '@playwright/test';

/** Page objects for a device's page: shadow viewer, command composer and timeline, attributes. */
export class DeviceDetailPage {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string, deviceId: string) {
    await this.page.goto(`/${orgSlug}/devices/${deviceId}`);
    await expect(this.page.getByTestId('device-header')).toBeVisible();
  }

  desiredEditor(): Locator {
    return this.page.getByLabel('Desired state (JSON)');
  }

  sendButton(): Locator {
    return this.page.getByRole('button', { name: 'Send command', exact: true });
  }

  async sendCommand(json: string) {
    await this.desiredEditor().fill(json);
    await this.sendButton().click();
  }

  /** The timeline entry whose desired state contains `text`. */
  command(text: string): Locator {
    return this.page.getByTestId('command').filter({ hasText: text });
  }

  /**
   * Records every status the timeline entry containing `text` shows, from now on (a
   * MutationObserver, so a state that lasts one poll is not missed between assertions).
   */
  async recordStatuses(text: string) {
    await this.page.evaluate((needle) => {
      const w = window as unknown as { __commandStatuses: string[] };
      w.__commandStatuses = [];
      const read = () => {
        const el = [...document.querySelectorAll('[data-testid="command"]')].find((e) => e.textContent?.includes(needle));
        const status = el?.getAttribute('data-status');
        if (status && w.__commandStatuses.at(-1) !== status) w.__commandStatuses.push(status);
      };
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    }, text);
  }

  recordedStatuses(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __commandStatuses: string[] }).__commandStatuses);
  }

  shadowRow(key: string): Locator {
    return this.page.getByTestId('shadow-row').and(this.page.locator(`[data-key="${key}"]`));
  }

  attributeRow(name: string): Locator {
    return this.page.getByTestId('attribute-row').and(this.page.locator(`[data-name="${name}"]`));
  }

  async addAttribute(name: string, value: string) {
    await this.page.getByLabel('Attribute', { exact: true }).fill(name);
    await this.page.getByLabel('Value', { exact: true }).fill(value);
    await this.page.getByRole('button', { name: 'Add attribute' }).click();
  }

  async editAttribute(name: string, value: string) {
    await this.page.getByRole('button', { name: `Edit ${name}` }).click();
    await this.page.getByLabel(`Value of ${name}`).fill(value);
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
  }

  /** Every control that writes: none of them may exist for a viewer. */
  writeControls(): Locator[] {
    return [
      this.desiredEditor(),
      this.sendButton(),
      this.page.getByRole('button', { name: 'Add attribute' }),
      this.page.getByRole('button', { name: /^(Edit|Remove) / }),
      this.page.getByRole('form', { name: 'Send a command' }),
    ];
  }
}
