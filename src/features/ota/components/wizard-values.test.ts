import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOtaJobSchema } from '../schemas';
import { initialValues, stepErrors, toInput, type WizardValues } from './wizard-values';

const filled = (patch: Partial<WizardValues> = {}): WizardValues => ({
  ...initialValues(randomUUID()),
  groups: ['site-berlin'],
  firmwareVersion: '2.1.0',
  firmwareUrl: 'https://fw.example.com/2.1.0.bin',
  jobId: 'fw-2-1-0',
  ...patch,
});

describe('wizard values', () => {
  it('turn a completed wizard into an input the server schema accepts, with the stated defaults', () => {
    const parsed = createOtaJobSchema.parse(toInput(filled()));
    expect(parsed).toMatchObject({
      rolloutType: 'exponential',
      baseRatePerMinute: 5,
      incrementFactor: 2,
      increaseThreshold: 5,
      maximumPerMinute: 100,
      abortThresholdPercentage: 10,
      abortMinExecutedThings: 10,
      inProgressTimeoutMinutes: 60,
      retryFailed: 2,
    });
    expect(JSON.parse(parsed.document)).toMatchObject({ firmwareVersion: '2.1.0' });
  });

  it('report an empty number field as a field error, not as zero', () => {
    expect(stepErrors(2, filled({ baseRatePerMinute: '' })).baseRatePerMinute?.[0]).toMatch(/must be a number/);
    expect(stepErrors(3, filled({ inProgressTimeoutMinutes: '' })).inProgressTimeoutMinutes?.[0]).toMatch(/must be a number/);
  });

  it('check each step on its own fields only', () => {
    expect(stepErrors(0, filled({ groups: [] }))).toHaveProperty('groups');
    expect(stepErrors(0, filled())).toEqual({});
    const doc = stepErrors(1, filled({ firmwareUrl: 'ftp://x', jobId: 'bad id' }));
    expect(Object.keys(doc).sort()).toEqual(['firmwareUrl', 'jobId']);
    expect(stepErrors(1, filled({ documentMode: 'json', documentJson: '[]' }))).toHaveProperty('document');
  });

  it('ignore switched-off sections', () => {
    expect(stepErrors(3, filled({ abortEnabled: false, abortThresholdPercentage: '' }))).toEqual({});
    expect(toInput(filled({ timeoutEnabled: false })).inProgressTimeoutMinutes).toBeNull();
    expect(toInput(filled({ targetKind: 'things', things: ['a'], targetSelection: 'CONTINUOUS' })).targetSelection).toBe('SNAPSHOT');
  });
});

describe('wizard values of the health guard', () => {
  it('send the chosen rules and parameters', () => {
    const rule = randomUUID();
    const parsed = createOtaJobSchema.parse(toInput(filled({ guardRuleIds: [rule], guardMinTreated: '25', guardMarginPercent: '7.5', guardConfidence: '0.99' })));
    expect(parsed).toMatchObject({ guardRuleIds: [rule], guardMinTreated: 25, guardMarginPercent: 7.5, guardConfidence: 0.99 });
  });

  it('check the parameters only while a rule is chosen, and send the defaults otherwise', () => {
    expect(stepErrors(3, filled({ guardRuleIds: [randomUUID()], guardMinTreated: '' })).guardMinTreated?.[0]).toMatch(/must be a number/);
    expect(stepErrors(3, filled({ guardRuleIds: [], guardMinTreated: '' }))).toEqual({});
    expect(toInput(filled({ guardRuleIds: [], guardMinTreated: 'x', guardMarginPercent: '' }))).toMatchObject({ guardMinTreated: 10, guardMarginPercent: 10, guardConfidence: 0.95 });
  });
});
