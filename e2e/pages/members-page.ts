import { expect, type Page } from '@playwright/test';

export class MembersPage {
  constructor(private readonly page: Page) {}

  async open(orgSlug: string) {
    await this.page.goto(`/${orgSlug}/members`);
    await expect(this.page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  }

  inviteCard() {
    return this.page.getByRole('heading', { name: 'Invite a member' });
  }

  /** Creates an invitation and returns the one-time link shown to the inviter. */
  async invite(email: string, role: string): Promise<string> {
    await this.page.getByLabel('Email', { exact: true }).fill(email);
    await this.page.getByLabel('Role', { exact: true }).selectOption(role);
    await this.page.getByRole('button', { name: 'Create invite link' }).click();
    const link = this.page.getByTestId('invite-link');
    await expect(link).toBeVisible();
    return link.inputValue();
  }
}
