import { Router } from 'express';
import { CreatorRepository } from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { creatorView } from '../me/me.views.ts';
import { storeCacheFor } from '../storefront/store-cache.service.ts';
import { loginBody, signupBody } from './auth.schemas.ts';
import { AuthService } from './auth.service.ts';
import { PasswordService } from './password.service.ts';
import { TokenService } from './token.service.ts';

/** `POST /signup` and `POST /login`; mount under `/api/v1/auth`. */
export function authRouter(deps: ApiDeps): Router {
  const auth = new AuthService({
    creators: new CreatorRepository(deps.mongo),
    passwords: new PasswordService(),
    tokens: new TokenService(deps.config),
    store: storeCacheFor(deps),
  });
  const router = Router();

  router.post('/signup', async (req, res) => {
    const session = await auth.signup(signupBody.parse(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ token: session.token, creator: creatorView(session.creator) });
  });

  router.post('/login', async (req, res) => {
    const session = await auth.login(loginBody.parse(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ token: session.token, creator: creatorView(session.creator) });
  });

  return router;
}
