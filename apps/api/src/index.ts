// Public API of @storefront/api (used by tests, load tests and the dev runner).
export { createApiHandler, type ApiHandler } from './app.ts';
export { startApi, type RunningApi } from './server.ts';
export type { ApiDeps } from './deps.ts';
