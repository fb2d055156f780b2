import type { components } from './api-types.gen.ts';

/** The response and request shapes of the OpenAPI document, by component name (generated). */
export type ApiSchemas = components['schemas'];
