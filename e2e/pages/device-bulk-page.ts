import { expect, type Locator, type Page } from '@playwright/test';

/** Page objects for bulk actions: the selection, the form with its dry run, the progress page. */
export class DeviceBulkPage {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string, query: string) {
    await this.page.goto(`/${orgSlug}/devices/bulk${query}`);
    await expect(this.page.getByRole('heading', { name: 'Bulk actions', level: 1 })).toBeVisible();
  }

  selectionCount(): Locator {
    return this.page.getByTestId('selection-count');
  }

  async fill(kind: 'Set an attribute' | 'Set a desired-state key', key: string, value: string) {
    await this.page.getByLabel('Change').selectOption({ label: kind });
    await this.page.getByLabel(kind === 'Set an attribute' ? 'Attribute' : 'Desired key').fill(key);
    await this.page.getByLabel(/^Value/).fill(value);
  }

  async dryRun() {
    await this.page.getByRole('button', { name: 'Dry run' }).click();
    await expect(this.page.getByTestId('dry-run')).toBeVisible();
  }

  dryRunCount(): Locator {
    return this.page.getByTestId('dry-run-count');
  }

  runButton(): Locator {
    return this.page.getByRole('button', { name: /^Run on \d+ devices?$/ });
  }

  status(): Locator {
    return this.page.getByTestId('bulk-status');
  }

  progress(): Locator {
    return this.page.getByRole('progressbar', { name: 'Bulk action progress' });
  }

  counter(name: 'succeeded' | 'failed' | 'skipped' | 'pending'): Locator {
    return this.page.getByTestId(`bulk-${name}`);
  }

  items(status?: string): Locator {
    const all = this.page.getByTestId('bulk-item');
    return status ? all.and(this.page.locator(`[data-status="${status}"]`)) : all;
  }
}
