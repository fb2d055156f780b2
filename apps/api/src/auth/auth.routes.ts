import { Router } from 'express';
import type { ImageUrls } from '../images/public-image.ts';
import { creatorView } from '../me/me.views.ts';
import type { SessionBody } from '../openapi/response.schemas.ts';
import { loginBody, signupBody } from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';

/** `POST /signup` and `POST /login`; mount under `/api/v1/auth`. */
export function authRouter(deps: { auth: AuthService; imageUrls: ImageUrls }): Router {
  const { auth, imageUrls: images } = deps;
  const router = Router();
  const sessionView = (session: Awaited<ReturnType<AuthService['login']>>): SessionBody => ({
    token: session.token,
    creator: creatorView(session.creator, images),
  });

  router.post('/signup', async (req, res) => {
    const session = await auth.signup(signupBody.parse(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(sessionView(session));
  });

  router.post('/login', async (req, res) => {
    const session = await auth.login(loginBody.parse(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.json(sessionView(session));
  });

  return router;
}
