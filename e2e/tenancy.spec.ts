import { createHash, randomBytes } from 'node:crypto';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { db } from './db';
import { AuthPages, formAlert, uniqueEmail } from './pages/auth-pages';
import { MembersPage } from './pages/members-page';

const PASSWORD = 'correct-horse-battery';

async function snap(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

/** Fails the test if the browser reports a Content Security Policy violation. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

test('an owner invites a viewer, who joins through the link and gets no admin powers', async ({ browser }, testInfo) => {
  const slug = `e2e-${Date.now().toString(36)}`;
  const ownerEmail = uniqueEmail('owner');
  const viewerEmail = uniqueEmail('viewer');

  // Owner: sign up, create the organization, invite a viewer.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerCsp = watchCsp(owner);
  const ownerAuth = new AuthPages(owner);
  await ownerAuth.signUp(ownerEmail, PASSWORD);
  await ownerAuth.createOrg('E2E Robotics', slug);
  await expect(owner).toHaveURL(new RegExp(`/${slug}$`));
  await expect(owner.getByRole('heading', { name: 'E2E Robotics', level: 1 })).toBeVisible();
  await snap(owner, testInfo, 'overview-owner');

  const members = new MembersPage(owner);
  await members.open(slug);
  let inviteAction: { id: string } | null = null;
  owner.on('request', (req) => {
    const id = req.headers()['next-action'];
    if (id && req.method() === 'POST' && req.postData()?.includes(viewerEmail)) inviteAction = { id };
  });
  const link = await members.invite(viewerEmail, 'viewer');
  expect(link).toMatch(new RegExp(`/invite/[A-Za-z0-9_-]{43}$`));
  await expect(owner.getByRole('list', { name: 'Pending invitations' })).toContainText(viewerEmail);
  await snap(owner, testInfo, 'members-owner-with-invite');
  expect(inviteAction, 'the invite form posts to a server action').not.toBeNull();

  // Viewer: open the link signed out, sign up with the invited address, accept.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  const viewerCsp = watchCsp(viewer);
  await viewer.goto(link);
  await expect(viewer.getByRole('heading', { name: 'Join E2E Robotics' })).toBeVisible();
  await snap(viewer, testInfo, 'invite-signed-out');
  await viewer.getByRole('link', { name: 'Create an account to join' }).click();
  await expect(viewer.getByLabel('Email')).toHaveValue(viewerEmail);
  await viewer.getByLabel('Password').fill(PASSWORD);
  await viewer.getByRole('button', { name: 'Create account' }).click();
  await expect(viewer).toHaveURL(/\/invite\//);
  await viewer.getByRole('button', { name: 'Join E2E Robotics' }).click();
  await expect(viewer).toHaveURL(new RegExp(`/${slug}$`));

  // The viewer sees the org with the viewer role and no admin controls.
  await new MembersPage(viewer).open(slug);
  await expect(viewer.getByText('You are a viewer of E2E Robotics.')).toBeVisible();
  await expect(new MembersPage(viewer).inviteCard()).toHaveCount(0);
  await expect(viewer.getByRole('combobox', { name: /Role of/ })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /Remove|Revoke/ })).toHaveCount(0);
  await expect(viewer.getByLabel('Organization')).toContainText('E2E Robotics · Viewer');
  await snap(viewer, testInfo, 'members-viewer');

  // A forged call to the invite action from the viewer's session is refused and changes nothing.
  const forgedEmail = uniqueEmail('forged');
  const response = await viewer.request.post(`/${slug}/members`, {
    headers: { 'Next-Action': inviteAction!.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
    data: JSON.stringify([slug, { email: forgedEmail, role: 'admin' }]),
  });
  const body = await response.text();
  expect(body).toContain('FORBIDDEN');
  const forged = await db()`select 1 from public.invitations where email = ${forgedEmail}`;
  expect(forged).toHaveLength(0);

  // The owner sees the new member; the link cannot be used twice.
  await members.open(slug);
  await expect(owner.getByTestId('member-row').filter({ hasText: viewerEmail })).toBeVisible();
  await viewer.goto(link);
  await expect(viewer.getByRole('heading', { name: 'Invitation already used' })).toBeVisible();

  expect(ownerCsp).toEqual([]);
  expect(viewerCsp).toEqual([]);
  await ownerContext.close();
  await viewerContext.close();
});

test('bad input gets a clear message and changes no row', async ({ page }, testInfo) => {
  const auth = new AuthPages(page);
  const email = uniqueEmail('careful');
  const countUsers = async () => Number((await db()`select count(*)::int as n from auth.users`)[0]!.n);
  const countOrgs = async () => Number((await db()`select count(*)::int as n from public.organizations`)[0]!.n);

  // Sign-up: invalid email, weak password — nothing created.
  const usersBefore = await countUsers();
  await page.goto('/signup');
  await auth.fillAndSubmitSignUp('not-an-email', PASSWORD);
  await expect(formAlert(page)).toContainText('Enter a valid email address.');
  await auth.fillAndSubmitSignUp(email, 'short');
  await expect(formAlert(page)).toContainText('at least 8 characters');
  await expect(page.getByLabel('Email')).toHaveValue(email); // typed input survives the error
  await snap(page, testInfo, 'signup-weak-password');
  expect(await countUsers()).toBe(usersBefore);

  // A real account, then the same address again.
  await auth.fillAndSubmitSignUp(email, PASSWORD);
  await expect(page).toHaveURL(/\/orgs\/new$/);
  const orgsBefore = await countOrgs();
  await page.getByLabel('Organization name').fill('Bad Slug Inc');
  await page.getByLabel('URL').fill('Bad Slug!');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(formAlert(page)).toContainText('Lowercase letters');
  await page.getByLabel('URL').fill('login');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(formAlert(page)).toContainText('reserved');
  const taken = `taken-${Date.now().toString(36)}`;
  await db()`insert into public.organizations (slug, name) values (${taken}, 'Someone else')`;
  await page.getByLabel('URL').fill(taken);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(formAlert(page)).toContainText('already taken');
  expect(await countOrgs()).toBe(orgsBefore + 1); // only the row this test inserted itself

  // Sign out; duplicate sign-up and a wrong password are explained inline.
  const other = await page.context().browser()!.newContext();
  const second = await other.newPage();
  const secondAuth = new AuthPages(second);
  await secondAuth.signUp(email, PASSWORD);
  await expect(formAlert(second)).toContainText('already registered');
  await secondAuth.signIn(email, 'wrong-password-123');
  await expect(formAlert(second)).toContainText('Wrong email or password.');
  await snap(second, testInfo, 'signin-wrong-password');

  // Expired and unknown invitations.
  const token = randomBytes(32).toString('base64url');
  const [org] = await db()<{ id: string }[]>`select id from public.organizations where slug = ${taken}`;
  await db()`
    insert into public.invitations (org_id, email, role, token_hash, expires_at)
    values (${org!.id}, ${email}, 'viewer', ${createHash('sha256').update(token).digest('hex')}, now() - interval '1 hour')`;
  await second.goto(`/invite/${token}`);
  await expect(second.getByRole('heading', { name: 'Invitation expired' })).toBeVisible();
  await second.goto(`/invite/${randomBytes(32).toString('base64url')}`);
  await expect(second.getByRole('heading', { name: 'Invitation not found' })).toBeVisible();
  await other.close();

  // A tampered session cookie is not trusted: back to sign-in with an explanation.
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => /^sb-.+-auth-token$/.test(c.name));
  expect(session, 'one unchunked session cookie after sign-up').toBeDefined();
  const stored = JSON.parse(Buffer.from(session!.value.replace(/^base64-/, ''), 'base64url').toString('utf8'));
  const [header, payload] = String(stored.access_token).split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: crypto.randomUUID() })).toString('base64url');
  stored.access_token = `${header}.${forgedPayload}.${String(stored.access_token).split('.')[2]}`;
  await page.context().addCookies([{ ...session!, value: `base64-${Buffer.from(JSON.stringify(stored)).toString('base64url')}` }]);
  await page.goto('/orgs/new');
  await expect(page).toHaveURL(/\/login\?next=%2Forgs%2Fnew&reason=session/);
  await expect(page.getByText('Your session is no longer valid.')).toBeVisible();
});

test('security headers are present on pages and the health check reports the database', async ({ request }) => {
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'ok' } });

  const login = await request.get('/login');
  const headers = login.headers();
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});
