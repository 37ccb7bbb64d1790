import { describe, expect, it } from 'vitest';
import { CHECKS, featuresFor, readCapabilities, toStoredCapabilities, type CheckResult, type PreflightReport } from './capabilities';

function report(overrides: Partial<Record<CheckResult['id'], Partial<CheckResult>>> = {}, syncMode: 'fleet_index' | 'registry' = 'fleet_index'): PreflightReport {
  const checks = CHECKS.map((c): CheckResult => ({ id: c.id, status: c.tested ? 'ok' : 'not_tested', ...overrides[c.id] }));
  return { authenticated: true, authFailure: null, canSave: true, endpoint: 'x-ats.iot.us-east-1.amazonaws.com', syncMode, indexing: null, checks, testedAt: '2026-11-22T12:00:00.000Z' };
}

const byName = (features: ReturnType<typeof featuresFor>) => Object.fromEntries(features.map((f) => [f.name, f]));

describe('stored capabilities', () => {
  it('round-trip through the database shape and reject anything else', () => {
    const stored = toStoredCapabilities(report());
    expect(readCapabilities(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    expect(readCapabilities({})).toBeNull();
    expect(readCapabilities({ registryRead: { ok: true } })).toBeNull();
  });

  it('are not stored for a failed authentication', () => {
    expect(toStoredCapabilities({ ...report(), authenticated: false, syncMode: null })).toBeNull();
  });
});

describe('features', () => {
  it('disables Timestream charts with the refused action and the AWS error name', () => {
    const f = byName(featuresFor(toStoredCapabilities(report({ timestreamQuery: { status: 'failed', error: 'AccessDeniedException' } })), true));
    expect(f['Telemetry from Timestream']).toMatchObject({ state: 'disabled', reason: expect.stringContaining('timestream:Select') });
    expect(f['Telemetry from Timestream']!.reason).toContain('AccessDeniedException');
    expect(f['Device sync']!.state).toBe('enabled');
  });

  it('explains a missing Timestream configuration, and enables it when the query worked', () => {
    expect(byName(featuresFor(toStoredCapabilities(report({ timestreamQuery: { status: 'skipped' } })), false))['Telemetry from Timestream']!.reason).toMatch(/No Timestream/);
    expect(byName(featuresFor(toStoredCapabilities(report()), true))['Telemetry from Timestream']!.state).toBe('enabled');
  });

  it('reads device state from the index in fleet-index mode even without GetThingShadow', () => {
    const refused = { shadowRead: { status: 'failed' as const, error: 'ForbiddenException' } };
    expect(byName(featuresFor(toStoredCapabilities(report(refused, 'fleet_index')), false))['Device state from shadows']!.state).toBe('enabled');
    expect(byName(featuresFor(toStoredCapabilities(report(refused, 'registry')), false))['Device state from shadows']!.state).toBe('disabled');
  });

  it('lets Fleetline manage the live-data rules only with the rule permissions, else points to the hand set-up', () => {
    expect(byName(featuresFor(toStoredCapabilities(report()), false))['Live data set-up']!.state).toBe('enabled');
    const refused = byName(featuresFor(toStoredCapabilities(report({ liveData: { status: 'failed', error: 'AccessDeniedException' } })), false))['Live data set-up']!;
    expect(refused.state).toBe('disabled');
    expect(refused.reason).toContain('iot:CreateTopicRule');
    expect(refused.reason).toContain('by hand');
  });

  it('marks writes as not verified, and everything as unknown before the first test', () => {
    expect(byName(featuresFor(toStoredCapabilities(report()), false))['Commands and attribute edits']!.state).toBe('unverified');
    expect(featuresFor(null, false)).toEqual([expect.objectContaining({ state: 'disabled', reason: expect.stringMatching(/Test connection/) })]);
  });
});
