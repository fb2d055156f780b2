// Public API of @storefront/api (used by tests, load tests and the dev runner).
export { createApiHandler, type ApiHandler } from './app.ts';
export { startApi, type RunningApi } from './server.ts';
export type { ApiDeps } from './deps.ts';
export { TokenService } from './auth/token.service.ts';
export type { CheckoutResult } from './checkout/checkout.service.ts';
export { buildOpenApiDocument } from './openapi/openapi-document.ts';
export type {
  components as OpenApiComponents,
  operations as OpenApiOperations,
  paths as OpenApiPaths,
} from './openapi/api-types.gen.ts';
export type { ApiSchemas } from './openapi/api-types.ts';
