import { describe, expect, it } from 'vitest';
import { Collection } from './collection.store.ts';

function seeded(): Collection {
  const c = new Collection('db', 'orders');
  c.addIndex({
    v: 2,
    key: { gatewayOrderId: 1 },
    name: 'gatewayOrderId_1',
    unique: true,
    partialFilterExpression: { gatewayOrderId: { $exists: true } },
  });
  c.addIndex({
    v: 2,
    key: { 'delivery.status': 1, queuedAt: 1 },
    name: 'delivery',
    partialFilterExpression: { 'delivery.status': 'queued' },
  });
  for (let i = 0; i < 1000; i++) {
    c.insert({
      _id: i,
      ...(i % 2 === 0 ? { gatewayOrderId: `order_${i}` } : {}),
      delivery: { status: i < 10 ? 'queued' : 'delivered' },
      queuedAt: i,
    });
  }
  return c;
}

const count = (it: Iterable<unknown>) => [...it].length;

describe('partial indexes in the planner', () => {
  it('when the filter is a non-null equality on an $exists-partial field, then only its bucket is read', () => {
    const c = seeded();
    expect(count(c.candidates({ gatewayOrderId: 'order_42' }).recs)).toBe(1);
    expect(c.find({ gatewayOrderId: 'order_42' }).map((r) => r.doc._id)).toEqual([42]);
  });

  it('when the filter equals the partial filter value, then the partial index answers it', () => {
    const c = seeded();
    const recs = [...c.candidates({ 'delivery.status': 'queued', queuedAt: { $lt: 5 } }).recs];
    expect(recs.length).toBe(10);
    expect(c.find({ 'delivery.status': 'queued', queuedAt: { $lt: 5 } })).toHaveLength(5);
  });

  it('when the filter could match documents outside the partial index, then it scans', () => {
    const c = seeded();
    expect(count(c.candidates({ gatewayOrderId: null }).recs)).toBe(1000);
    expect(c.find({ gatewayOrderId: null })).toHaveLength(500);
    expect(count(c.candidates({ 'delivery.status': 'delivered' }).recs)).toBe(1000);
    expect(c.find({ 'delivery.status': 'delivered' })).toHaveLength(990);
  });
});
