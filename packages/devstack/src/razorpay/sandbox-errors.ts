/** Razorpay's error body: `{"error":{"code","description","source","step","reason","metadata","field"?}}`. */
export interface RazorpayErrorBody {
  error: {
    code: string;
    description: string;
    source: string;
    step: string;
    reason: string;
    metadata: Record<string, unknown>;
    field?: string;
  };
}

/** An error the sandbox answers with, in Razorpay's shape. */
export class SandboxHttpError extends Error {
  readonly status: number;
  readonly body: RazorpayErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: RazorpayErrorBody, headers: Record<string, string> = {}) {
    super(body.error.description);
    this.name = 'SandboxHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

function body(
  code: string,
  description: string,
  extra: { source?: string; step?: string; reason?: string; field?: string } = {},
): RazorpayErrorBody {
  return {
    error: {
      code,
      description,
      source: extra.source ?? 'NA',
      step: extra.step ?? 'NA',
      reason: extra.reason ?? 'NA',
      metadata: {},
      ...(extra.field === undefined ? {} : { field: extra.field }),
    },
  };
}

/** 400 for bad input on an API call, naming the offending field as Razorpay does. */
export function validationError(description: string, field?: string): SandboxHttpError {
  return new SandboxHttpError(
    400,
    body('BAD_REQUEST_ERROR', description, {
      source: 'business',
      step: 'payment_initiation',
      reason: 'input_validation_failed',
      ...(field === undefined ? {} : { field }),
    }),
  );
}

/** Razorpay answers 400 (not 404) for an unknown id or another account's id. */
export function idNotFound(): SandboxHttpError {
  return new SandboxHttpError(400, body('BAD_REQUEST_ERROR', 'The id provided does not exist'));
}

export function invalidId(id: string): SandboxHttpError {
  return new SandboxHttpError(400, body('BAD_REQUEST_ERROR', `${id} is not a valid id`));
}

export function authError(description: string): SandboxHttpError {
  return new SandboxHttpError(401, body('BAD_REQUEST_ERROR', description));
}

export function routeNotFound(): SandboxHttpError {
  return new SandboxHttpError(
    404,
    body('BAD_REQUEST_ERROR', 'The requested URL was not found on the server.'),
  );
}

/** The answer of an injected fault: 429 with Razorpay's shape, or a server error. */
export function faultError(status: number, retryAfter?: number): SandboxHttpError {
  const headers: Record<string, string> =
    retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  if (status === 429) {
    return new SandboxHttpError(429, body('BAD_REQUEST_ERROR', 'Too many requests'), headers);
  }
  return new SandboxHttpError(
    status,
    body(
      'SERVER_ERROR',
      'The server encountered an error. The incident has been reported to admins.',
    ),
    headers,
  );
}

/** 400 for a malformed control request (`/_sandbox/*`). */
export function controlError(description: string, status = 400): SandboxHttpError {
  return new SandboxHttpError(status, body('BAD_REQUEST_ERROR', description));
}
