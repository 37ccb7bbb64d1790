import { expect, type Page } from '@playwright/test';

/** Page object for the device list: its filter bar, table, pager, column chooser and export link. */
export class DevicesPage {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string, query = '') {
    await this.page.goto(`/${orgSlug}/devices${query}`);
    await expect(this.page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
  }

  /** The number of devices the page says match (read from the count's data attribute). */
  async count(): Promise<number> {
    return Number(await this.page.getByTestId('device-count').getAttribute('data-count'));
  }

  countText() {
    return this.page.getByTestId('device-count');
  }

  rows() {
    return this.page.getByTestId('device-row');
  }

  async names(): Promise<string[]> {
    return this.page.getByTestId('device-name').allInnerTexts();
  }

  search() {
    return this.page.getByLabel('Search', { exact: true });
  }

  async chooseStatus(label: string) {
    await this.page.getByRole('button', { name: label, exact: true }).click();
  }

  statusChip(label: string) {
    return this.page.getByRole('button', { name: label, exact: true });
  }

  async select(label: 'Thing type' | 'Group' | 'Firmware' | 'AWS account', value: string) {
    await this.page.getByRole('combobox', { name: label, exact: true }).selectOption(value);
  }

  async addAttribute(pair: string) {
    await this.page.getByLabel('Attribute', { exact: true }).fill(pair);
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
  }

  exportLink() {
    return this.page.getByRole('link', { name: 'Export CSV' });
  }

  bulkActionsLink() {
    return this.page.getByRole('link', { name: 'Bulk actions…' });
  }

  next() {
    return this.page.getByRole('link', { name: 'Next →' });
  }

  previous() {
    return this.page.getByRole('link', { name: 'Previous', exact: false });
  }

  sortBy(column: string) {
    return this.page.getByRole('columnheader', { name: column }).getByRole('link');
  }

  async toggleColumn(label: string) {
    const chooser = this.page.getByTestId('column-chooser');
    if (!(await chooser.evaluate((el) => (el as HTMLDetailsElement).open))) await chooser.getByText('Columns', { exact: true }).click();
    await chooser.getByLabel(label, { exact: true }).click();
  }

  columnHeader(label: string) {
    return this.page.getByRole('columnheader', { name: label });
  }

  invalidNotice() {
    return this.page.getByTestId('invalid-params');
  }
}
