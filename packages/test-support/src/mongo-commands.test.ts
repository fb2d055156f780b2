import { describe, expect, it } from 'vitest';
import { commandsBetween, commandTotals } from './mongo-commands.ts';

describe('MongoDB command counts', () => {
  it('when serverStatus is read, then each command with a total is counted and the rest ignored', () => {
    const totals = commandTotals({
      metrics: {
        commands: {
          find: { failed: 0, total: 12 },
          update: { failed: 1, total: '7' },
          // Not a command's counters: mongod nests some groups without a total.
          createIndexes: 'n/a',
          aggregate: { failed: 0 },
        },
      },
    });
    expect([...totals]).toEqual([
      ['find', 12],
      ['update', 7],
    ]);
    expect(commandTotals(undefined).size).toBe(0);
    expect(commandTotals({ metrics: {} }).size).toBe(0);
  });

  it('when two readings are compared, then the commands run between them come busiest first, without the left-out ones', () => {
    const before = new Map([
      ['find', 10],
      ['update', 5],
      ['serverStatus', 3],
      ['insert', 2],
    ]);
    const after = new Map([
      ['find', 40],
      ['update', 65],
      ['serverStatus', 4],
      ['insert', 2],
      ['delete', 1],
    ]);
    // insert ran none in between; serverStatus is the readings' own.
    expect(commandsBetween(before, after)).toEqual([
      ['update', 60],
      ['find', 30],
      ['delete', 1],
    ]);
    expect(commandsBetween(before, after, ['update', 'serverStatus'])).toEqual([
      ['find', 30],
      ['delete', 1],
    ]);
  });
});
