import { Router, type RequestHandler } from 'express';
import { currentCreator } from '../auth/auth.middleware.ts';
import { connectRazorpayBody } from './razorpay-account.schemas.ts';
import type { RazorpayAccountService } from './razorpay-account.service.ts';

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** The signed-in creator's own Razorpay account; mount under `/api/v1/me/razorpay`. */
export function razorpayAccountRouter(deps: {
  razorpayAccounts: RazorpayAccountService;
  requireCreator: RequestHandler;
}): Router {
  const accounts = deps.razorpayAccounts;
  const router = Router();
  router.use(deps.requireCreator, noStore);

  router.get('/', async (_req, res) => {
    res.json(await accounts.get(currentCreator(res).id));
  });

  router.put('/', async (req, res) => {
    const input = connectRazorpayBody.parse(req.body);
    res.json(await accounts.connect(currentCreator(res).id, input));
  });

  router.delete('/', async (_req, res) => {
    res.json(await accounts.disconnect(currentCreator(res).id));
  });

  return router;
}
