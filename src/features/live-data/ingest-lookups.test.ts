import { describe, expect, it } from 'vitest';
import { secretAccepted } from './ingest-lookups';
import { hashIngestSecret } from './secret';

describe('secretAccepted', () => {
  const current = hashIngestSecret('fli_current');
  const previous = hashIngestSecret('fli_previous');

  it('accepts the current secret and, during a rotation, the previous one; nothing else', () => {
    expect(secretAccepted('fli_current', [current])).toBe(true);
    expect(secretAccepted('fli_previous', [current])).toBe(false);
    expect(secretAccepted('fli_previous', [current, previous])).toBe(true);
    expect(secretAccepted('fli_other', [current, previous])).toBe(false);
  });

  it('refuses empty and over-long secrets, and hashes of the wrong length', () => {
    expect(secretAccepted('', [current])).toBe(false);
    expect(secretAccepted('x'.repeat(257), [hashIngestSecret('x'.repeat(257))])).toBe(false);
    expect(secretAccepted('fli_current', [current.subarray(0, 16)])).toBe(false);
    expect(secretAccepted('fli_current', [])).toBe(false);
  });
});
