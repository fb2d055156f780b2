import { describe, expect, it } from 'vitest';
import { checkResponse } from './contract.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  res: { status, headers: new Headers({ 'content-type': 'application/json', ...headers }) },
  text: JSON.stringify(body),
});

describe('the API contract check', () => {
  it('when a response matches its operation, status and schema, then there is no problem', () => {
    const { res, text } = json(200, { status: 'ok' });
    expect(checkResponse('GET', 'http://h/healthz', res, text)).toEqual({
      operation: 'GET /healthz',
      status: 200,
      problems: [],
    });
  });

  it('when a route the document does not have answers, then it is a problem', () => {
    const { res, text } = json(200, {});
    expect(checkResponse('POST', 'http://h/healthz', res, text).problems).toEqual([
      'undocumented route',
    ]);
    const denied = json(401, { error: { code: 'UNAUTHORIZED', message: 'no' } });
    expect(checkResponse('GET', 'http://h/api/v1/new', denied.res, denied.text).problems).toEqual([
      'undocumented route',
    ]);
  });

  it('when a path no route serves gets the not-found envelope, then it is recorded outside the document', () => {
    const { res, text } = json(404, { error: { code: 'NOT_FOUND', message: 'No route' } });
    expect(checkResponse('GET', 'http://h/no/such', res, text)).toEqual({
      operation: '(no such route)',
      status: 404,
      problems: [],
    });
    const bad = json(404, { oops: true });
    expect(checkResponse('GET', 'http://h/no/such', bad.res, bad.text).problems).not.toEqual([]);
  });

  it('when the status is not documented for the operation, then it is a problem', () => {
    const { res, text } = json(418, {});
    expect(checkResponse('GET', 'http://h/healthz', res, text).problems).toEqual([
      'undocumented status 418',
    ]);
  });

  it('when the body does not match the schema, then each mismatch is a problem', () => {
    const { res, text } = json(404, { error: { code: 'NOT_FOUND' }, extra: true });
    const { operation, problems } = checkResponse(
      'GET',
      'http://h/api/v1/me/products/x',
      res,
      text,
    );
    expect(operation).toBe('GET /api/v1/me/products/{id}');
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });

  it('when a required header is missing, then it is a problem', () => {
    const { res, text } = json(200, { creator: {}, products: [] });
    const { problems } = checkResponse('GET', 'http://h/api/v1/store/asha', res, text);
    expect(problems).toContain('missing header ETag');
  });

  it('when a concrete path and a template both match, then the concrete one is the operation', () => {
    const { res, text } = json(200, { status: 'ok' });
    expect(checkResponse('GET', 'http://h/healthz', res, text).operation).toBe('GET /healthz');
  });
});
