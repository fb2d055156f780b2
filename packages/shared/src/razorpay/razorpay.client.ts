import Razorpay from 'razorpay';
import { RazorpayError, parseRetryAfter } from './razorpay-error.ts';
import type {
  RazorpayCollection,
  RazorpayCreateOrderParams,
  RazorpayOrder,
  RazorpayPayment,
} from './razorpay.types.ts';

/** Options of {@link createRazorpayClient}. */
export interface RazorpayClientOptions {
  keyId: string;
  keySecret: string;
  /** API origin, e.g. `https://api.razorpay.com` or the sandbox URL; a trailing `/v1` is ignored. */
  baseUrl?: string;
  /** Per-request timeout; the SDK has none by default. */
  timeoutMs?: number;
}

/** The Razorpay calls this project makes; every failure rejects with a {@link RazorpayError}. */
export interface RazorpayClient {
  orders: {
    create(params: RazorpayCreateOrderParams): Promise<RazorpayOrder>;
    fetch(orderId: string): Promise<RazorpayOrder>;
    fetchPayments(orderId: string): Promise<RazorpayCollection<RazorpayPayment>>;
  };
  payments: {
    fetch(paymentId: string): Promise<RazorpayPayment>;
  };
}

const DEFAULT_BASE_URL = 'https://api.razorpay.com';
const DEFAULT_TIMEOUT_MS = 10_000;

// The parts of the SDK's private axios instance we touch. Typed structurally so shared does not
// depend on axios directly; the SDK pins the version it ships with.
interface AxiosLikeInstance {
  defaults: {
    baseURL?: string;
    timeout?: number;
    maxRedirects?: number;
    transitional?: Record<string, unknown>;
  };
  interceptors: {
    response: { use(onFulfilled: undefined, onRejected: (err: unknown) => unknown): number };
  };
}

/** Builds a Razorpay client on the official SDK, pointed at `baseUrl`, with normalised errors. */
export function createRazorpayClient(options: RazorpayClientOptions): RazorpayClient {
  const sdk = new Razorpay({ key_id: options.keyId, key_secret: options.keySecret });
  const rq = (sdk.api as unknown as { rq: AxiosLikeInstance }).rq;
  rq.defaults.baseURL = normaliseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  rq.defaults.timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Razorpay's API answers; it does not redirect. With redirects allowed axios sends every request
  // through follow-redirects' wrapper; without, through node:http itself: about 0.15–0.2 ms less
  // CPU per call (0.71–0.84 → 0.56–0.64 ms; docs/load-testing.md), on every checkout. A 3xx fails
  // the call as any other unexpected status does.
  rq.defaults.maxRedirects = 0;
  // ETIMEDOUT instead of the ambiguous ECONNABORTED for timeouts.
  rq.defaults.transitional = { ...rq.defaults.transitional, clarifyTimeoutError: true };
  // The SDK's own catch reads err.response.status / err.response.data.error and throws a plain
  // object, so it crashes on network errors and drops headers such as Retry-After. Normalise here,
  // at the axios level, and hand the SDK an envelope it can read; `call` unwraps it again.
  rq.interceptors.response.use(undefined, (err: unknown) => {
    const normalised = toRazorpayError(err);
    return Promise.reject(
      new SdkEnvelope({ status: normalised.statusCode ?? 0, data: { error: normalised } }),
    );
  });

  return {
    orders: {
      create: (params) => call(() => sdk.orders.create(params as never)),
      fetch: (orderId) => call(() => sdk.orders.fetch(orderId)),
      fetchPayments: (orderId) => call(() => sdk.orders.fetchPayments(orderId)),
    },
    payments: {
      fetch: (paymentId) => call(() => sdk.payments.fetch(paymentId)),
    },
  };
}

// Carries a RazorpayError through the SDK's `normalizeError`, which reads `response`.
class SdkEnvelope extends Error {
  readonly response: { status: number; data: { error: RazorpayError } };
  constructor(response: { status: number; data: { error: RazorpayError } }) {
    super(response.data.error.message);
    this.response = response;
  }
}

async function call<T>(fn: () => Promise<unknown>): Promise<T> {
  try {
    return (await fn()) as T;
  } catch (thrown) {
    throw unwrap(thrown);
  }
}

function unwrap(thrown: unknown): Error {
  if (thrown instanceof RazorpayError) return thrown;
  if (isRecord(thrown) && thrown.error instanceof RazorpayError) return thrown.error;
  if (thrown instanceof SdkEnvelope) return thrown.response.data.error;
  if (thrown instanceof Error) return thrown;
  return new Error(`Razorpay SDK threw a non-error value: ${String(thrown)}`);
}

function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Maps an axios error from the SDK's HTTP layer to a RazorpayError. The raw error is not kept as
 * `cause` because its request config carries the key secret.
 */
export function toRazorpayError(err: unknown): RazorpayError {
  if (!isRecord(err)) return new RazorpayError({ kind: 'network', description: String(err) });
  const response = err.response;
  if (isRecord(response) && typeof response.status === 'number') {
    const body = isRecord(response.data) ? response.data.error : undefined;
    const detail = isRecord(body) ? body : {};
    return new RazorpayError({
      kind: 'http',
      statusCode: response.status,
      description: str(detail.description) ?? `HTTP ${response.status}`,
      code: str(detail.code),
      reason: str(detail.reason),
      field: str(detail.field),
      source: str(detail.source),
      step: str(detail.step),
      retryAfterSeconds: parseRetryAfter(header(response.headers, 'retry-after')),
    });
  }
  const code = str(err.code) ?? (isRecord(err.cause) ? str(err.cause.code) : undefined);
  const message = str(err.message) ?? 'request failed';
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new RazorpayError({ kind: 'timeout', description: message, causeCode: code });
  }
  return new RazorpayError({ kind: 'network', description: message, causeCode: code });
}

function header(headers: unknown, name: string): unknown {
  if (!isRecord(headers)) return undefined;
  if (typeof headers.get === 'function') {
    return (headers.get as (n: string) => unknown).call(headers, name);
  }
  return headers[name];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
