import { describe, expect, it } from 'vitest';
import { matches, parseSearchQuery, type FieldValue, type Searchable } from './search-query';

function doc(fields: Record<string, FieldValue | FieldValue[]>): Searchable {
  return {
    values: (f) => {
      const v = fields[f];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    freeText: () => Object.values(fields).flat().filter((v) => typeof v === 'string'),
  };
}

const d = doc({ thingName: 'sensor-000042', 'attributes.site': 'Berlin', 'shadow.reported.battery': 42.5, 'connectivity.connected': true, thingGroupNames: ['site-berlin', 'fleet'] });
const q = (s: string) => matches(parseSearchQuery(s).root, d);

describe('fleet indexing query language', () => {
  it('matches terms case-insensitively, with wildcards and across multi-valued fields', () => {
    expect(q('thingName:sensor-000042')).toBe(true);
    expect(q('attributes.site:berlin')).toBe(true);
    expect(q('thingName:sensor-0000?2')).toBe(true);
    expect(q('thingName:sensor-00004*')).toBe(true);
    expect(q('thingName:sensor-1*')).toBe(false);
    expect(q('thingGroupNames:fleet')).toBe(true);
    expect(q('attributes.site:*')).toBe(true);
    expect(q('attributes.missing:*')).toBe(false);
    expect(q('"sensor-000042"')).toBe(true);
  });

  it('compares numbers and booleans', () => {
    expect(q('shadow.reported.battery:42.5')).toBe(true);
    expect(q('shadow.reported.battery<43')).toBe(true);
    expect(q('shadow.reported.battery>=42.5')).toBe(true);
    expect(q('shadow.reported.battery>42.5')).toBe(false);
    expect(q('shadow.reported.battery:[40 TO 42.5]')).toBe(true);
    expect(q('shadow.reported.battery:[40 TO 42.5}')).toBe(false);
    expect(q('shadow.reported.battery:{42.5 TO *]')).toBe(false);
    expect(q('shadow.reported.battery:[* TO 100]')).toBe(true);
    expect(q('connectivity.connected:true')).toBe(true);
    expect(q('connectivity.connected:false')).toBe(false);
  });

  it('combines with AND, OR, NOT, minus, parentheses and implicit AND', () => {
    expect(q('thingName:x OR attributes.site:berlin')).toBe(true);
    expect(q('thingName:x attributes.site:berlin')).toBe(false);
    expect(q('NOT thingName:x AND attributes.site:berlin')).toBe(true);
    expect(q('-attributes.site:berlin')).toBe(false);
    expect(q('(thingName:x OR thingName:y) AND attributes.site:berlin')).toBe(false);
    expect(q('thingName:x OR thingName:y AND attributes.site:berlin')).toBe(false);
    expect(q('attributes.site:berlin OR thingName:y AND thingName:z')).toBe(true);
    expect(q('*')).toBe(true);
  });

  it('rejects what AWS rejects', () => {
    for (const bad of ['', 'thingName:*x', 'thingName:?x', '(a:1', 'a:1)', 'a:1 AND', 'NOT', 'a:[1 TO', 'a:[1 2]', 'a<', 'a:"open', 'a:1 b:2 c:3 d:4 e:5 f:6 g:7 h:8', 'x'.repeat(1001)]) {
      expect(() => parseSearchQuery(bad), bad).toThrow(expect.objectContaining({ code: 'InvalidQueryException', status: 400 }));
    }
    expect(parseSearchQuery('a:1 b:2 c:3 d:4 e:5 f:6 g:7').terms).toBe(7);
  });
});
