import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../storage/key-encoding.ts';
import { compileFast } from './fast-matcher.ts';

const oid = new ObjectId();
const docs: Doc[] = [
  {
    _id: 1,
    status: 'pending',
    n: 5,
    at: new Date(1000),
    owner: oid,
    tags: ['a', 'b'],
    meta: { k: 'x' },
  },
  {
    _id: 2,
    status: 'paid',
    n: 10,
    at: new Date(2000),
    owner: new ObjectId(),
    tags: [],
    meta: { k: 'y' },
  },
  { _id: 3, status: 'failed', n: 'str', tags: ['c'], lines: [{ sku: 'p' }, { sku: 'q' }] },
  { _id: 4, n: null, status: ['pending', 'x'] },
  { _id: 5, n: [1, null], deletedAt: new Date(0) },
  { _id: 6, n: [], deletedAt: null },
];

const filters: Doc[] = [
  { status: 'pending' },
  { status: { $eq: 'paid' } },
  { status: { $ne: 'pending' } },
  { status: { $in: ['paid', 'failed'] } },
  { status: { $nin: ['paid', 'failed'] } },
  { n: { $gt: 5 } },
  { n: { $gte: 5, $lt: 10 } },
  { n: { $lte: 'zzz' } },
  { at: { $lt: new Date(1500) } },
  { owner: new ObjectId(oid.toHexString()) },
  { owner: { $in: [oid] } },
  { tags: 'b' },
  { 'meta.k': 'y' },
  { 'lines.sku': 'q' },
  { status: { $exists: true } },
  { at: { $exists: false } },
  { $or: [{ status: 'paid' }, { n: 5 }] },
  { $and: [{ n: { $gte: 5 } }, { status: { $ne: 'paid' } }] },
  { $nor: [{ status: 'paid' }] },
  { _id: 3, status: 'failed' },
  { n: null },
  { n: { $ne: null } },
  { deletedAt: null },
  { deletedAt: null, status: { $exists: true } },
];

describe('compileFast', () => {
  it.each(filters.map((f) => [JSON.stringify(f), f] as const))(
    "when filtering with %s, then the matches equal mingo's",
    (_label, filter) => {
      const fast = compileFast(filter);
      expect(fast).not.toBeNull();
      const q = new Query(filter, {});
      expect(docs.filter((d) => fast?.(d)).map((d) => d._id)).toEqual(
        docs.filter((d) => q.test(d)).map((d) => d._id),
      );
    },
  );

  it('when a filter uses dotted null, regex or embedded documents, then it is left to mingo', () => {
    expect(compileFast({ 'a.b': null })).toBeNull();
    expect(compileFast({ a: /x/ })).toBeNull();
    expect(compileFast({ a: { b: 1 } })).toBeNull();
    expect(compileFast({ a: { $elemMatch: { b: 1 } } })).toBeNull();
    expect(compileFast({ $where: 'true' })).toBeNull();
  });
});
