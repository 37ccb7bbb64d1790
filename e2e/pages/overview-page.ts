import { expect, type Locator, type Page } from '@playwright/test';

export type KpiKey = 'total' | 'online' | 'offline' | 'stale' | 'unknown';

/** Page object for the organization overview (`/<slug>`). */
export class OverviewPage {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string, orgName: string) {
    await this.page.goto(`/${orgSlug}`);
    await expect(this.page.getByRole('heading', { name: orgName, level: 1 })).toBeVisible();
  }

  kpi(key: KpiKey): Locator {
    return this.page.getByTestId(`kpi-${key}`);
  }

  async kpiValue(key: KpiKey): Promise<number> {
    const text = await this.kpi(key).getByTestId('kpi-value').innerText();
    return Number(text.replace(/[^\d]/g, ''));
  }

  card(name: 'firmware' | 'types' | 'groups' | 'battery' | 'signal' | 'ota' | 'commands' | 'sync'): Locator {
    return this.page.getByTestId(`overview-${name}`);
  }

  /** Opens a chart card's "Show values" table and returns it. */
  async values(name: 'firmware' | 'types' | 'groups' | 'battery' | 'signal'): Promise<Locator> {
    const card = this.card(name);
    const details = card.locator('details');
    if (!(await details.evaluate((el) => (el as HTMLDetailsElement).open))) await card.getByText('Show values').click();
    const table = card.getByRole('table');
    await expect(table).toBeVisible();
    return table;
  }

  /** The device count in a values-table row, by its label. */
  async valueCount(name: 'firmware' | 'types' | 'groups' | 'battery' | 'signal', label: string): Promise<number> {
    const table = await this.values(name);
    const row = table.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: label, exact: true }) });
    return Number((await row.getByRole('cell').first().innerText()).replace(/[^\d]/g, ''));
  }

  otaJob(jobId: string): Locator {
    return this.card('ota').getByTestId('ota-job').filter({ hasText: jobId });
  }
}
