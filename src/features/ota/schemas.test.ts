import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ABORT_DEFAULTS, ROLLOUT_DEFAULTS, TIMEOUT_DEFAULTS } from './model';
import { cancelOtaJobSchema, createJobRequest, createOtaJobSchema } from './schemas';
import { firmwareDocument, firmwareTemplateSchema, suggestJobId } from './templates';

const valid = {
  integrationId: randomUUID(),
  targetKind: 'groups',
  groups: ['site-berlin'],
  things: [],
  targetSelection: 'SNAPSHOT',
  jobId: 'fw-2-1-0',
  description: '',
  document: '{"operation":"firmware-update","firmwareVersion":"2.1.0"}',
  ...ROLLOUT_DEFAULTS,
  ...ABORT_DEFAULTS,
  ...TIMEOUT_DEFAULTS,
};

function fieldErrors(input: Record<string, unknown>) {
  const parsed = createOtaJobSchema.safeParse(input);
  if (parsed.success) return {};
  return z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
}

describe('createOtaJobSchema', () => {
  it('accepts the defaults the wizard proposes', () => {
    expect(createOtaJobSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['jobId', { jobId: 'has space' }],
    ['jobId', { jobId: 'x'.repeat(65) }],
    ['document', { document: '[1,2]' }],
    ['document', { document: 'not json' }],
    ['document', { document: JSON.stringify({ pad: 'x'.repeat(32_768) }) }],
    ['maximumPerMinute', { maximumPerMinute: 1001 }],
    ['maximumPerMinute', { maximumPerMinute: 0 }],
    ['baseRatePerMinute', { baseRatePerMinute: 2.5 }],
    ['baseRatePerMinute', { baseRatePerMinute: 200, maximumPerMinute: 100 }],
    ['incrementFactor', { incrementFactor: 1 }],
    ['incrementFactor', { incrementFactor: 5.5 }],
    ['incrementFactor', { incrementFactor: 1.55 }],
    ['increaseThreshold', { increaseThreshold: 0 }],
    ['abortThresholdPercentage', { abortThresholdPercentage: 0 }],
    ['abortThresholdPercentage', { abortThresholdPercentage: 100.5 }],
    ['abortThresholdPercentage', { abortThresholdPercentage: 10.123 }],
    ['abortMinExecutedThings', { abortMinExecutedThings: 0 }],
    ['inProgressTimeoutMinutes', { inProgressTimeoutMinutes: 0 }],
    ['inProgressTimeoutMinutes', { inProgressTimeoutMinutes: 10_081 }],
    ['retryFailed', { retryFailed: 11 }],
    ['retryTimedOut', { retryTimedOut: -1 }],
    ['groups', { groups: [] }],
    ['groups', { groups: ['a', 'a'] }],
    ['groups', { groups: ['bad name'] }],
    ['things', { targetKind: 'things', things: [] }],
    ['things', { targetKind: 'things', things: Array.from({ length: 101 }, (_, i) => `t-${i}`) }],
    ['targetSelection', { targetKind: 'things', things: ['sensor-000001'], targetSelection: 'CONTINUOUS' }],
    ['integrationId', { integrationId: 'nope' }],
  ])('refuses a bad %s with a message on that field', (field, patch) => {
    const errors = fieldErrors({ ...valid, ...patch });
    expect(errors[field]?.[0]).toEqual(expect.any(String));
  });

  it('accepts boundary values AWS accepts', () => {
    for (const patch of [
      { incrementFactor: 1.1 },
      { incrementFactor: 5 },
      { abortThresholdPercentage: 100 },
      { abortThresholdPercentage: 10.25 },
      { maximumPerMinute: 1000, baseRatePerMinute: 1000 },
      { inProgressTimeoutMinutes: null },
      { inProgressTimeoutMinutes: 10_080 },
      { jobId: 'a'.repeat(64) },
    ]) {
      expect(createOtaJobSchema.safeParse({ ...valid, ...patch }).success, JSON.stringify(patch)).toBe(true);
    }
  });
});

describe('createJobRequest', () => {
  const arns = ['arn:aws:iot:us-east-1:111122223333:thinggroup/site-berlin'];

  it('builds an exponential rollout with abort, timeout and retries', () => {
    const input = createOtaJobSchema.parse({ ...valid, description: 'Spring update' });
    expect(createJobRequest(input, arns)).toEqual({
      jobId: 'fw-2-1-0',
      targets: arns,
      document: valid.document,
      description: 'Spring update',
      targetSelection: 'SNAPSHOT',
      jobExecutionsRolloutConfig: {
        maximumPerMinute: 100,
        exponentialRate: { baseRatePerMinute: 5, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 5 } },
      },
      abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 10 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 60 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }, { failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
    });
  });

  it('builds a constant rollout and leaves out what is switched off', () => {
    const input = createOtaJobSchema.parse({
      ...valid,
      rolloutType: 'constant',
      maximumPerMinute: 50,
      increaseCriterion: 'notified',
      abortEnabled: false,
      inProgressTimeoutMinutes: null,
      retryFailed: 0,
      retryTimedOut: 3,
    });
    const request = createJobRequest(input, arns);
    expect(request.jobExecutionsRolloutConfig).toEqual({ maximumPerMinute: 50 });
    // Timed-out retries need a timeout to ever apply; without one there is nothing to retry.
    expect(request).not.toHaveProperty('abortConfig');
    expect(request).not.toHaveProperty('timeoutConfig');
    expect(request).not.toHaveProperty('jobExecutionsRetryConfig');
    expect(request).not.toHaveProperty('description');
  });

  it('uses numberOfNotifiedThings when growth follows notifications', () => {
    const input = createOtaJobSchema.parse({ ...valid, increaseCriterion: 'notified', increaseThreshold: 20 });
    expect(createJobRequest(input, arns).jobExecutionsRolloutConfig.exponentialRate?.rateIncreaseCriteria).toEqual({ numberOfNotifiedThings: 20 });
  });
});

describe('cancelOtaJobSchema', () => {
  it('accepts an empty reason and comment, and refuses a lower-case reason code', () => {
    expect(cancelOtaJobSchema.safeParse({ otaJobId: randomUUID(), force: false, reasonCode: '', comment: '' }).success).toBe(true);
    expect(cancelOtaJobSchema.safeParse({ otaJobId: randomUUID(), force: true, reasonCode: 'bad firmware', comment: '' }).success).toBe(false);
  });
});

describe('firmware template', () => {
  it('writes version, URL and digest into a JSON document the devices (and the simulator) read', () => {
    const input = firmwareTemplateSchema.parse({ firmwareVersion: '2.1.0', firmwareUrl: 'https://fw.example.com/a.bin', sha256: 'A'.repeat(64) });
    expect(JSON.parse(firmwareDocument(input))).toEqual({
      operation: 'firmware-update',
      firmwareVersion: '2.1.0',
      firmwareUrl: 'https://fw.example.com/a.bin',
      sha256: 'a'.repeat(64),
    });
  });

  it('refuses a plain-http URL and a bad version', () => {
    expect(firmwareTemplateSchema.safeParse({ firmwareVersion: '2.1.0', firmwareUrl: 'http://fw.example.com/a.bin', sha256: '' }).success).toBe(false);
    expect(firmwareTemplateSchema.safeParse({ firmwareVersion: 'v 2', firmwareUrl: 'https://fw.example.com/a.bin', sha256: '' }).success).toBe(false);
  });

  it('suggests a valid job id', () => {
    const id = suggestJobId('2.1.0+rc/1', new Date('2026-11-22T15:30:00Z'));
    expect(id).toBe('fw-2-1-0-rc-1-20261122-1530');
    expect(createOtaJobSchema.safeParse({ ...valid, jobId: id }).success).toBe(true);
  });
});

describe('health guard fields', () => {
  it('default to no guard with the stated parameters when left out (API callers, older clients)', () => {
    expect(createOtaJobSchema.parse(valid)).toMatchObject({ guardRuleIds: [], guardMinTreated: 10, guardMarginPercent: 10, guardConfidence: 0.95 });
  });

  it('accept up to five distinct rules with valid parameters', () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    expect(createOtaJobSchema.parse({ ...valid, guardRuleIds: ids, guardMinTreated: 1, guardMarginPercent: 0, guardConfidence: 0.99 })).toMatchObject({ guardRuleIds: ids });
  });

  it.each([
    ['guardRuleIds', { guardRuleIds: Array.from({ length: 6 }, () => randomUUID()) }],
    ['guardRuleIds', { guardRuleIds: ['not-a-uuid'] }],
    ['guardMinTreated', { guardMinTreated: 0 }],
    ['guardMinTreated', { guardMinTreated: 2.5 }],
    ['guardMarginPercent', { guardMarginPercent: -1 }],
    ['guardMarginPercent', { guardMarginPercent: 101 }],
    ['guardConfidence', { guardConfidence: 0.5 }],
  ])('refuse a bad %s', (field, patch) => {
    expect(Object.keys(fieldErrors({ ...valid, ...patch }))).toEqual([field]);
  });

  it('refuse the same rule twice', () => {
    const id = randomUUID();
    expect(fieldErrors({ ...valid, guardRuleIds: [id, id] }).guardRuleIds?.[0]).toMatch(/once/);
  });
});
