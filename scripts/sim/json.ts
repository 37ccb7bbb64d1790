// JSON value helpers shared by the shadow model and the request parsers.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Nesting depth of objects: `{a: 1}` is 1, `{a: {b: 1}}` is 2. Arrays count as a level too. */
export function depthOf(v: Json): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (isObject(v)) return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/**
 * Applies a shadow-style patch: objects merge recursively, `null` deletes a key, anything else
 * replaces. Returns the merged copy; neither input is modified.
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) {
      const existing = out[k];
      const merged = mergePatch(isObject(existing) ? existing : {}, v);
      // A branch emptied by null deletes disappears, as in AWS; an explicit `{}` is kept.
      if (Object.keys(merged).length === 0 && Object.keys(v).length > 0) delete out[k];
      else out[k] = merged;
    } else out[k] = clone(v);
  }
  return out;
}

export function byteLength(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}
