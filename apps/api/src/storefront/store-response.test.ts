import { describe, expect, it } from 'vitest';
import { etagMatches, foundResponse, normalizeUsername } from './store-response.ts';

describe('store responses', () => {
  it('when the same bytes are wrapped twice, then the strong ETag and headers match; other bytes differ', () => {
    const a = foundResponse(Buffer.from('{"a":1}'));
    expect(foundResponse(Buffer.from('{"a":1}')).etag).toBe(a.etag);
    expect(foundResponse(Buffer.from('{"a":2}')).etag).not.toBe(a.etag);
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(a.headers['content-length']).toBe('7');
  });

  it('when If-None-Match lists the ETag (weak or strong, among others, or *), then it matches', () => {
    const etag = '"abc"';
    for (const h of ['"abc"', 'W/"abc"', '"x", "abc"', '"x",W/"abc"', '*'])
      expect(etagMatches(h, etag), h).toBe(true);
    for (const h of ['"ab"', 'abc', '"abcd"', '', 'W/"x"'])
      expect(etagMatches(h, etag), h).toBe(false);
  });

  it('when a name is requested, then it is lowercased, and names that cannot exist are rejected', () => {
    expect(normalizeUsername('Demo_User-1')).toBe('demo_user-1');
    for (const bad of [
      'ab',
      '-ab',
      'ab_',
      'a b',
      'a.b',
      'ä-name',
      'x'.repeat(31),
      '',
      'ab\u0000c',
    ]) {
      expect(normalizeUsername(bad), bad).toBeUndefined();
    }
  });
});
