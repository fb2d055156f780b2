import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';
import { DOCS_PAGE_PATH as DOCS_PATH } from '../security/security-headers.ts';
import { OPENAPI_PATH } from './openapi.routes.ts';

const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Creator storefront API</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  </head>
  <body>
    <main id="docs" data-spec="${OPENAPI_PATH}"></main>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/docs-init.js"></script>
  </body>
</html>
`;

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/** The page's assets, read once: Swagger UI's from its package, our initializer from here. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const swaggerDir = dirname(
    createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
  );
  const files: Record<string, string> = {
    'swagger-ui.css': join(swaggerDir, 'swagger-ui.css'),
    'swagger-ui-bundle.js': join(swaggerDir, 'swagger-ui-bundle.js'),
    'docs-init.js': new URL('./docs-page/docs-init.js', import.meta.url).pathname,
  };
  return new Map(
    Object.entries(files).map(([name, file]) => [
      name,
      {
        type: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
        body: readFileSync(file),
      },
    ]),
  );
}

/**
 * `GET /api/docs`: Swagger UI, served entirely by us (works offline), under the docs CSP of
 * security-headers.ts. Assets load on first request, so an API that never serves docs never reads them.
 */
export function docsRouter(): Router {
  let assets: ReturnType<typeof loadAssets> | undefined;
  const router = Router();
  router.get(DOCS_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(HTML);
  });
  router.get(`${DOCS_PATH}/:file`, (req, res, next) => {
    assets ??= loadAssets();
    const asset = assets.get(req.params.file);
    if (asset === undefined) return next();
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(asset.type).send(asset.body);
  });
  return router;
}
