import { describe, expect, it } from 'vitest';
import {
  answerFor,
  etagMatches,
  foundResponse,
  normalizeUsername,
  NOT_FOUND_RESPONSE,
} from './store-response.ts';

describe('store responses', () => {
  it('when the same bytes are wrapped twice, then the strong ETag and headers match; other bytes differ', () => {
    const a = foundResponse(Buffer.from('{"a":1}'));
    expect(foundResponse(Buffer.from('{"a":1}')).etag).toBe(a.etag);
    expect(foundResponse(Buffer.from('{"a":2}')).etag).not.toBe(a.etag);
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(a.headers[a.headers.indexOf('content-length') + 1]).toBe('7');
  });

  it('when If-None-Match matches a 200, then the answer is a bodiless 304 with ETag and Cache-Control only', () => {
    const r = foundResponse(Buffer.from('{"a":1}'));
    const nm = answerFor(r, `W/${r.etag}`);
    expect(nm.status).toBe(304);
    expect(nm.body).toBeUndefined();
    expect(nm.headers).toEqual([
      'etag',
      r.etag,
      'cache-control',
      'public, max-age=0, must-revalidate',
    ]);
    expect(answerFor(r, '"other"')).toBe(r);
    expect(answerFor(r, undefined)).toBe(r);
    expect(answerFor(NOT_FOUND_RESPONSE, '*')).toBe(NOT_FOUND_RESPONSE);
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
