import { describe, expect, it } from 'vitest';
import { boundedTeardown } from './bounded-teardown.ts';

describe('boundedTeardown', () => {
  it('when a step hangs, then it is named and the steps after it still run', async () => {
    const ran: string[] = [];
    const hung = await boundedTeardown(50, [
      ['first', () => Promise.resolve(void ran.push('first'))],
      ['stuck', () => new Promise<void>(() => ran.push('stuck'))],
      ['absent', undefined],
      ['last', () => Promise.resolve(void ran.push('last'))],
    ]);
    expect(hung).toEqual(['stuck']);
    expect(ran).toEqual(['first', 'stuck', 'last']);
  });

  it('when a step fails, then the teardown rejects with its error', async () => {
    await expect(
      boundedTeardown(1_000, [['broken', () => Promise.reject(new Error('boom'))]]),
    ).rejects.toThrow('boom');
  });
});
