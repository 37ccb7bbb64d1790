import { describe, expect, it } from 'vitest';
import { createChannelSchema, MAX_RECIPIENTS, updateChannelSchema } from './schemas';

describe('channel inputs', () => {
  it('accept an e-mail channel, deduplicating recipients regardless of case', () => {
    expect(createChannelSchema.parse({ kind: 'email', name: ' On-call ', recipients: ['Ops@Example.com', 'ops@example.com', 'b@example.com'] })).toEqual({
      kind: 'email',
      name: 'On-call',
      recipients: ['ops@example.com', 'b@example.com'],
    });
  });

  it('refuse bad recipients, too many, or none', () => {
    expect(createChannelSchema.safeParse({ kind: 'email', name: 'x', recipients: ['not-an-address'] }).success).toBe(false);
    expect(createChannelSchema.safeParse({ kind: 'email', name: 'x', recipients: [] }).success).toBe(false);
    const many = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.com`);
    expect(createChannelSchema.safeParse({ kind: 'email', name: 'x', recipients: many }).success).toBe(false);
  });

  it('accept http(s) webhook URLs only, without credentials, json by default', () => {
    expect(createChannelSchema.parse({ kind: 'webhook', name: 'Hook', url: 'https://hooks.example.com/a?b=c' })).toMatchObject({ format: 'json' });
    for (const url of ['ftp://hooks.example.com/x', 'https://user:pass@hooks.example.com/x', 'javascript:alert(1)', 'hooks.example.com', `https://h.example.com/${'a'.repeat(2048)}`]) {
      expect(createChannelSchema.safeParse({ kind: 'webhook', name: 'Hook', url }).success, url).toBe(false);
    }
    expect(createChannelSchema.safeParse({ kind: 'webhook', name: 'Hook', url: 'https://hooks.example.com/', format: 'teams' }).success).toBe(false);
  });

  it('an update names its channel by uuid', () => {
    expect(updateChannelSchema.safeParse({ channelId: 'nope', name: 'x' }).success).toBe(false);
    expect(updateChannelSchema.parse({ channelId: '22222222-2222-4222-8222-222222222222', enabled: false })).toEqual({ channelId: '22222222-2222-4222-8222-222222222222', enabled: false });
  });
});
