import { Router } from 'express';
import { buildOpenApiDocument } from './openapi-document.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/** `GET /api/v1/openapi.json`: the document, built once when the app is. */
export function openApiRouter(): Router {
  const body = JSON.stringify(buildOpenApiDocument());
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(body);
  });
  return router;
}
