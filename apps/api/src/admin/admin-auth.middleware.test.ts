import { describe, expect, it } from 'vitest';
import { parseBasicAuth } from './admin-auth.middleware.ts';

const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('parseBasicAuth', () => {
  it('when the header is user:password, then both are returned (the password may hold colons)', () => {
    expect(parseBasicAuth(header('ops:pa:ss'))).toEqual({ username: 'ops', password: 'pa:ss' });
  });

  it.each([
    ['absent', undefined],
    ['another scheme', 'Bearer abc'],
    ['not base64', 'Basic ***'],
    ['no colon', header('opspassword')],
  ])('when the header is %s, then there are no credentials', (_label, value) => {
    expect(parseBasicAuth(value)).toBeUndefined();
  });
});
