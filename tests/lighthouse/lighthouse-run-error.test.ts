import { describe, expect, it } from 'vitest';
import { LighthouseRunError, TRACE_RECORDING_ERRORS } from './lighthouse-runner.ts';

describe('LighthouseRunError', () => {
  it('is retryable when Lighthouse failed to record the trace', () => {
    const err = new LighthouseRunError(
      'https://127.0.0.1:1/demo',
      'NO_NAVSTART',
      'Something went wrong with recording the trace over your page load. Please run Lighthouse again. (NO_NAVSTART)',
    );
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(
      /^Lighthouse could not measure https:\/\/127\.0\.0\.1:1\/demo: NO_NAVSTART \(/,
    );
    expect(TRACE_RECORDING_ERRORS.has('NO_TRACING_STARTED')).toBe(true);
  });

  it('is not retryable when the page itself is at fault', () => {
    for (const code of [
      'NO_FCP',
      'NO_LCP',
      'INSECURE_DOCUMENT_REQUEST',
      'ERRORED_DOCUMENT_REQUEST',
      'FAILED_DOCUMENT_REQUEST',
    ]) {
      expect(new LighthouseRunError('u', code, 'm').retryable, code).toBe(false);
    }
  });
});
