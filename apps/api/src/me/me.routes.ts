import { Router, type RequestHandler } from 'express';
import { currentCreator } from '../auth/auth.middleware.ts';
import { profilePatchBody, productCreateBody, productPatchBody } from './me.schemas.ts';
import type { ImageUrls } from '../images/public-image.ts';
import type { MeService } from './me.service.ts';
import { creatorView, productView } from './me.views.ts';

// Private answers: never kept by shared caches or the browser's back/forward history.
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** The signed-in creator's profile and products; mount under `/api/v1/me`. */
export function meRouter(deps: {
  me: MeService;
  requireCreator: RequestHandler;
  imageUrls: ImageUrls;
}): Router {
  const { me, imageUrls: images } = deps;
  // Applied per route, not router-wide, so other features' /me/... routes pass through untouched.
  const auth = deps.requireCreator;
  const router = Router();

  router.get('/', auth, noStore, async (_req, res) => {
    res.json(creatorView(await me.profile(currentCreator(res)), images));
  });

  router.patch('/', auth, noStore, async (req, res) => {
    const patch = profilePatchBody.parse(req.body);
    res.json(creatorView(await me.updateProfile(currentCreator(res), patch), images));
  });

  router.get('/products', auth, noStore, async (_req, res) => {
    const products = await me.listProducts(currentCreator(res));
    res.json({ products: products.map((p) => productView(p, images)) });
  });

  router.post('/products', auth, noStore, async (req, res) => {
    const input = productCreateBody.parse(req.body);
    res.status(201).json(productView(await me.createProduct(currentCreator(res), input), images));
  });

  router.get('/products/:id', auth, noStore, async (req, res) => {
    res.json(
      productView(await me.getProduct(currentCreator(res), req.params.id as string), images),
    );
  });

  router.patch('/products/:id', auth, noStore, async (req, res) => {
    const patch = productPatchBody.parse(req.body);
    res.json(
      productView(
        await me.updateProduct(currentCreator(res), req.params.id as string, patch),
        images,
      ),
    );
  });

  router.delete('/products/:id', auth, noStore, async (req, res) => {
    await me.deleteProduct(currentCreator(res), req.params.id as string);
    res.status(204).end();
  });

  return router;
}
