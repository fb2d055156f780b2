import type { RequestHandler } from 'express';
import { ForbiddenError, metricsAccessCheck } from '@storefront/shared';

/** Guards the API's `/metrics` with the shared policy (`metricsAccessCheck`): 403 JSON otherwise. */
export function metricsAccess(metricsToken: string | undefined): RequestHandler {
  const allowed = metricsAccessCheck(metricsToken);
  return (req, _res, next) => {
    if (allowed(req)) return next();
    next(new ForbiddenError('Metrics are not available to this client'));
  };
}
