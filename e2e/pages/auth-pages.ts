import { expect, type Page } from '@playwright/test';

/** Page objects for sign-up, sign-in and organization creation. */
export class AuthPages {
  constructor(private readonly page: Page) {}

  async signUp(email: string, password: string) {
    await this.page.goto('/signup');
    await this.fillAndSubmitSignUp(email, password);
  }

  async fillAndSubmitSignUp(email: string, password: string) {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async signIn(email: string, password: string) {
    await this.page.goto('/login');
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async createOrg(name: string, slug: string) {
    await expect(this.page).toHaveURL(/\/orgs\/new$/);
    await this.page.getByLabel('Organization name').fill(name);
    await this.page.getByLabel('URL').fill(slug);
    await this.page.getByRole('button', { name: 'Create organization' }).click();
  }
}

export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
}

/** Inline form messages (Next's own route announcer also has role=alert, so it is excluded). */
export function formAlert(page: Page) {
  return page.locator('[role="alert"]:not(#__next-route-announcer__)');
}
