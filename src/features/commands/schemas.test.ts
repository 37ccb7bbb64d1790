import { describe, expect, it } from 'vitest';
import { DESIRED_MAX_BYTES, DESIRED_MAX_DEPTH, desiredStateBytes, jsonDepth, sendCommandSchema } from './schemas';

const deviceId = '00000000-0000-4000-8000-000000000001';
const parse = (desired: string, extra: Record<string, unknown> = {}) => sendCommandSchema.safeParse({ deviceId, desired, expectedVersion: 3, ...extra });
const desiredErrors = (desired: string) => {
  const result = parse(desired);
  expect(result.success).toBe(false);
  return result.error!.issues.filter((i) => i.path[0] === 'desired').map((i) => i.message);
};

describe('the desired-state document', () => {
  it('accepts an object and parses it, with the default timeout and the classic shadow', () => {
    const result = parse('{"ledColor": "blue", "fan": {"speed": 3}, "remove": null}');
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ deviceId, shadowName: null, desired: { ledColor: 'blue', fan: { speed: 3 }, remove: null }, expectedVersion: 3, timeoutSeconds: 600 });
  });

  it('explains what is wrong, on the desired field', () => {
    expect(desiredErrors('')[0]).toMatch(/Enter the desired state/);
    expect(desiredErrors('{"a": ')[0]).toMatch(/^Not valid JSON/);
    expect(desiredErrors('[1, 2]')[0]).toMatch(/must be a JSON object/);
    expect(desiredErrors('"text"')[0]).toMatch(/must be a JSON object/);
    expect(desiredErrors('{}')[0]).toMatch(/at least one key/);
    expect(desiredErrors('{"reported": {"a": 1}}')[0]).toMatch(/Remove the "reported" section/);
  });

  it('counts nesting as the shadow service does and allows six levels', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: 1 })).toBe(1);
    expect(jsonDepth({ a: [{ b: 1 }] })).toBe(3);
    const nest = (n: number): unknown => (n === 1 ? { v: 1 } : { n: nest(n - 1) });
    expect(parse(JSON.stringify(nest(DESIRED_MAX_DEPTH))).success).toBe(true);
    expect(desiredErrors(JSON.stringify(nest(DESIRED_MAX_DEPTH + 1)))[0]).toBe(`Desired state is nested 7 levels deep; AWS allows at most ${DESIRED_MAX_DEPTH}.`);
  });

  it('measures size in UTF-8 bytes of the state document AWS receives', () => {
    expect(desiredStateBytes({ a: 'é' })).toBe('{"desired":{"a":"é"}}'.length + 1);
    const doc = (bytes: number) => {
      const d = { s: '' };
      d.s = 'ü'.repeat(Math.floor((bytes - desiredStateBytes(d)) / 2));
      d.s += 'x'.repeat(bytes - desiredStateBytes(d));
      return d;
    };
    expect(desiredStateBytes(doc(DESIRED_MAX_BYTES))).toBe(DESIRED_MAX_BYTES);
    expect(parse(JSON.stringify(doc(DESIRED_MAX_BYTES))).success).toBe(true);
    expect(desiredErrors(JSON.stringify(doc(DESIRED_MAX_BYTES + 1)))[0]).toMatch(/8,193 bytes; AWS allows at most 8,192/);
  });

  it('accepts only the offered timeouts and valid shadow names', () => {
    expect(parse('{"a": 1}', { timeoutSeconds: 3600 }).success).toBe(true);
    expect(parse('{"a": 1}', { timeoutSeconds: 5 }).success).toBe(false);
    expect(parse('{"a": 1}', { shadowName: 'config' }).success).toBe(true);
    expect(parse('{"a": 1}', { shadowName: 'no spaces' }).success).toBe(false);
  });
});
