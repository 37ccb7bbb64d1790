import { expect, type Page, type Response } from '@playwright/test';

/** Page object for /[orgSlug]/telemetry: a device's chart (`?device=`) or the fleet's. */
export class TelemetryPage {
  constructor(private readonly page: Page) {}

  async openDevice(orgSlug: string, deviceId: string, query = '') {
    await this.page.goto(`/${orgSlug}/telemetry?device=${deviceId}${query}`);
  }

  async openFleet(orgSlug: string, query = '') {
    await this.page.goto(`/${orgSlug}/telemetry${query}`);
    await expect(this.page.getByRole('heading', { name: 'Telemetry', level: 1 })).toBeVisible();
  }

  chart() {
    return this.page.getByTestId('telemetry-chart');
  }

  rangeButton(label: string) {
    return this.page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: label, exact: true });
  }

  /** The next answer of the telemetry route for `range`. */
  apiResponse(orgSlug: string, range: string): Promise<Response> {
    return this.page.waitForResponse((r) => r.url().includes(`/api/orgs/${orgSlug}/telemetry?`) && new URL(r.url()).searchParams.get('range') === range);
  }

  /** Clicks a range button and returns the route's answer for it. */
  async chooseRange(orgSlug: string, label: string, rangeParam: string): Promise<Response> {
    const answer = this.apiResponse(orgSlug, rangeParam);
    await this.rangeButton(label).click();
    await expect(this.rangeButton(label)).toHaveAttribute('aria-pressed', 'true');
    return answer;
  }

  /** Points the average line actually draws: one M/L command per bucket with data. */
  async drawnPoints(): Promise<number> {
    const d = await this.chart().locator('path.recharts-line-curve').first().getAttribute('d');
    return (d?.match(/[ML]/g) ?? []).length;
  }

  /** Waits until the chart shows `range` with exactly `buckets` points, in the data and in the SVG. */
  async expectBuckets(range: string, buckets: number, metric = 'temperature') {
    await expect(this.chart()).toHaveAttribute('data-range', `${range}:${metric}`);
    await expect(this.chart()).toHaveAttribute('data-point-count', String(buckets));
    await expect(this.chart()).toHaveAttribute('data-bucket-count', String(buckets));
    await expect.poll(() => this.drawnPoints()).toBe(buckets);
  }

  async applyCustomRange(fromLocal: string, toLocal: string) {
    await this.rangeButton('Custom').click();
    const form = this.page.getByRole('form', { name: 'Custom time range' });
    await form.getByLabel('From').fill(fromLocal);
    await form.getByLabel('To').fill(toLocal);
    await form.getByLabel('To').press('Enter');
  }

  bin() {
    return this.page.getByTestId('telemetry-bin');
  }
}
