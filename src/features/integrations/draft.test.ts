import { describe, expect, it } from 'vitest';
import { generateKeyEntry, parseKeyring } from '@/lib/vault';
import { DRAFT_TTL_MS, issueDraft, newExternalId, verifyDraft } from './draft';
import { externalIdSchema } from './schemas';

const k1 = generateKeyEntry('k1');
const keyring = parseKeyring(k1);
const orgA = '0b7c1f7e-1111-4a4a-8a8a-000000000001';
const orgB = '0b7c1f7e-2222-4a4a-8a8a-000000000002';
const now = Date.UTC(2026, 10, 22, 12);

describe('wizard drafts', () => {
  it('issue fresh ids in Fleetline’s External ID format', () => {
    const a = issueDraft(keyring, orgA, now);
    const b = issueDraft(keyring, orgA, now);
    expect(externalIdSchema.safeParse(a.externalId).success).toBe(true);
    expect(a.integrationId).not.toBe(b.integrationId);
    expect(a.externalId).not.toBe(b.externalId);
    expect(new Set(Array.from({ length: 50 }, newExternalId)).size).toBe(50);
  });

  it('verify for the organization they were issued to', () => {
    const draft = issueDraft(keyring, orgA, now);
    expect(() => verifyDraft(keyring, orgA, draft, now + 60_000)).not.toThrow();
  });

  it('refuse another organization, a swapped id or External ID, and a tampered token', () => {
    const draft = issueDraft(keyring, orgA, now);
    const other = issueDraft(keyring, orgB, now);
    const attempts = [
      { org: orgB, d: draft },
      { org: orgA, d: { ...draft, externalId: other.externalId } },
      { org: orgA, d: { ...draft, integrationId: other.integrationId } },
      { org: orgA, d: { ...draft, token: other.token } },
      { org: orgA, d: { ...draft, token: draft.token.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 3600}.`) } },
      { org: orgA, d: { ...draft, token: draft.token.slice(0, -2) + (draft.token.endsWith('AA') ? 'BB' : 'AA') } },
      { org: orgA, d: { ...draft, token: 'garbage-token' } },
    ];
    for (const { org, d } of attempts) {
      expect(() => verifyDraft(keyring, org, d, now)).toThrow(expect.objectContaining({ code: 'PRECONDITION', message: expect.stringMatching(/not valid/) }));
    }
  });

  it('expire after a day', () => {
    const draft = issueDraft(keyring, orgA, now);
    expect(() => verifyDraft(keyring, orgA, draft, now + DRAFT_TTL_MS + 1000)).toThrow(/expired/);
  });

  it('survive a key rotation while the old key is still in the keyring, and not after it is removed', () => {
    const draft = issueDraft(keyring, orgA, now);
    const rotated = parseKeyring(`${generateKeyEntry('k2')},${k1}`);
    expect(() => verifyDraft(rotated, orgA, draft, now)).not.toThrow();
    expect(() => verifyDraft(parseKeyring(generateKeyEntry('k1')), orgA, draft, now)).toThrow(/not valid/);
  });
});
