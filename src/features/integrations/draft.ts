import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { keyringMac, type Keyring } from '@/lib/vault';
import type { Draft } from './schemas';

/**
 * The ids a wizard works with, issued by the server when it opens: the integration id (part of the
 * vault AAD) and the External ID (the confused-deputy guard of the role's trust policy). The token
 * binds both to one organization, so a client can neither pick its own External ID (e.g. another
 * tenant's) nor carry a draft into another organization.
 */
const PURPOSE = 'integration-draft';
export const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

function signed(orgId: string, integrationId: string, externalId: string, expiresAt: number): string {
  return `${orgId.toLowerCase()}|${integrationId.toLowerCase()}|${externalId}|${expiresAt}`;
}

export function newExternalId(): string {
  return `fl-${randomBytes(18).toString('base64url')}`;
}

export function issueDraft(keyring: Keyring, orgId: string, now: number = Date.now()): Draft & { expiresAt: number } {
  const integrationId = randomUUID();
  const externalId = newExternalId();
  const expiresAt = Math.floor((now + DRAFT_TTL_MS) / 1000);
  const mac = keyringMac(keyring, PURPOSE, signed(orgId, integrationId, externalId, expiresAt))!;
  return { integrationId, externalId, token: `${keyring.primaryKeyId}.${expiresAt}.${mac}`, expiresAt };
}

/** Throws PRECONDITION unless the draft was issued for this organization and has not expired. */
export function verifyDraft(keyring: Keyring, orgId: string, draft: Draft, now: number = Date.now()): void {
  const [keyId = '', expires = '', mac = ''] = draft.token.split('.');
  const expiresAt = Number(expires);
  const expected = /^\d{1,12}$/.test(expires) ? keyringMac(keyring, PURPOSE, signed(orgId, draft.integrationId, draft.externalId, expiresAt), keyId) : null;
  const valid = expected !== null && expected.length === mac.length && timingSafeEqual(Buffer.from(expected), Buffer.from(mac));
  if (!valid) throw new AppError('PRECONDITION', 'This wizard session is not valid for this organization. Reload the page to start again.');
  if (expiresAt * 1000 < now) throw new AppError('PRECONDITION', 'This wizard session has expired. Reload the page to start again.');
}
