import type { Request } from 'express';
import { AppError, PayloadTooLargeError, ValidationError } from '@storefront/shared';

/**
 * The declared size of an upload's raw body: 411 without Content-Length, 400 when it is not a
 * number or zero, 413 above `max` (`what` names the thing in the message, e.g. "Files").
 */
export function requiredContentLength(req: Request, max: number, what: string): number {
  const header = req.headers['content-length'];
  if (header === undefined) {
    throw new AppError('LENGTH_REQUIRED', 411, 'Content-Length is required for uploads');
  }
  if (!/^\d{1,15}$/.test(header)) throw new ValidationError('Content-Length is invalid');
  const size = Number(header);
  if (size === 0) throw new ValidationError('The file is empty');
  if (size > max) throw new PayloadTooLargeError(`${what} may be at most ${max} bytes`);
  return size;
}
