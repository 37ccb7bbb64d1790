import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertSupportedNode, MIN_NODE_MAJOR } from './node-version';

describe('assertSupportedNode', () => {
  it('refuses Node 20 with what to do', () => {
    expect(() => assertSupportedNode('20.20.2')).toThrow(/needs Node 22 or 24; this is Node 20\.20\.2.*README/);
  });

  it.each(['22.12.0', '24.22.3', '26.0.0'])('accepts Node %s', (version) => {
    expect(() => assertSupportedNode(version)).not.toThrow();
  });

  it('agrees with package.json engines', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
  });
});
