/** Body of every error response: `{"error": {"code", "message", "details"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Base of the domain error family; carries the HTTP status the API maps it to. */
export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly details: unknown;
  constructor(
    code: string,
    httpStatus: number,
    message: string,
    opts: { details?: unknown; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
    this.details = opts.details;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_ERROR', 400, message, { details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', 401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super('FORBIDDEN', 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('NOT_FOUND', 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', 409, message, { details });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body too large') {
    super('PAYLOAD_TOO_LARGE', 413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'Unsupported media type', details?: unknown) {
    super('UNSUPPORTED_MEDIA_TYPE', 415, message, { details });
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many requests', details?: unknown) {
    super('RATE_LIMITED', 429, message, { details });
  }
}

export class BadGatewayError extends AppError {
  constructor(message: string, details?: unknown, cause?: unknown) {
    super('BAD_GATEWAY', 502, message, { details, cause });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service temporarily unavailable', cause?: unknown) {
    super('SERVICE_UNAVAILABLE', 503, message, { cause });
  }
}

export class GatewayTimeoutError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('GATEWAY_TIMEOUT', 504, message, { cause });
  }
}
