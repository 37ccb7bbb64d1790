import { describe, expect, it } from 'vitest';
import { peerOutliers } from './peers';

describe('peerOutliers', () => {
  const group = [20.1, 19.8, 20.4, 20, 19.9, 20.2, 19.7, 20.3].map((v, i) => ({ id: `d${i}`, v }));

  it('names the device that stands out from its group, by its robust score', () => {
    const outliers = peerOutliers([...group, { id: 'hot', v: 25 }, { id: 'cold', v: 18 }]);
    expect(outliers.map((o) => o.id)).toEqual(['hot', 'cold']);
    expect(outliers[0]!.score).toBeGreaterThan(5);
    expect(outliers[1]!.score).toBeLessThan(-5);
  });

  it('follows the sensitivity', () => {
    const values = [...group, { id: 'warm', v: 21.3 }];
    expect(peerOutliers(values, 'high').map((o) => o.id)).toEqual(['warm']);
    expect(peerOutliers(values, 'low')).toEqual([]);
  });

  it('needs five peers, and copes with a group where most values are equal', () => {
    expect(peerOutliers(group.slice(0, 3).concat({ id: 'x', v: 99 }))).toEqual([]);
    const equal = [1, 2, 3, 4, 5, 6].map((i) => ({ id: `e${i}`, v: 50 }));
    expect(peerOutliers([...equal, { id: 'odd', v: 80 }]).map((o) => o.id)).toEqual(['odd']);
  });
});
