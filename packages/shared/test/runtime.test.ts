import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);

describe('runtime', () => {
  it('when tests run, then they run on Node 24 (the pinned LTS), not the system Node', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('when reading the pins, then engines, .nvmrc and the Dockerfile all say 24', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toMatch(/^>=24 <25$/);
    expect(readFileSync(new URL('.nvmrc', root), 'utf8').trim()).toBe('24');
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24[.-]/);
  });
});
