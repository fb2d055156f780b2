/** How a Razorpay call failed: an HTTP answer, no answer in time, or no connection at all. */
export type RazorpayErrorKind = 'http' | 'timeout' | 'network';

/** Fields of a {@link RazorpayError}; everything but `kind` and `description` is optional. */
export interface RazorpayErrorInit {
  kind: RazorpayErrorKind;
  description: string;
  statusCode?: number;
  code?: string;
  reason?: string;
  field?: string;
  source?: string;
  step?: string;
  retryAfterSeconds?: number;
  /** Low-level error code (ECONNREFUSED, ETIMEDOUT, ...) for timeouts and network failures. */
  causeCode?: string;
}

/**
 * Every failure of a Razorpay call, normalised. `retryable` is true for 429, 5xx, timeouts and
 * network errors. A timed-out `orders.create` may still have created the order on Razorpay's side.
 */
export class RazorpayError extends Error {
  readonly kind: RazorpayErrorKind;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly description: string;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  readonly source: string | undefined;
  readonly step: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly causeCode: string | undefined;
  readonly retryable: boolean;

  constructor(init: RazorpayErrorInit) {
    super(describe(init));
    this.name = 'RazorpayError';
    this.kind = init.kind;
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.description = init.description;
    this.reason = init.reason;
    this.field = init.field;
    this.source = init.source;
    this.step = init.step;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.causeCode = init.causeCode;
    this.retryable =
      init.kind !== 'http' ||
      init.statusCode === 429 ||
      (init.statusCode !== undefined && init.statusCode >= 500);
  }
}

function describe(init: RazorpayErrorInit): string {
  switch (init.kind) {
    case 'http':
      return `Razorpay answered ${init.statusCode ?? '?'} ${init.code ?? ''}: ${init.description}`;
    case 'timeout':
      return `Razorpay did not answer in time: ${init.description}`;
    case 'network':
      return `Razorpay unreachable: ${init.description}`;
  }
}

/**
 * Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); undefined when absent
 * or unparseable.
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  // Only HTTP-dates ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse would accept '-1' as a year.
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
