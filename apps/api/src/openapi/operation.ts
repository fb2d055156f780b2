import type { z } from 'zod';

/** How an operation authenticates (see the security schemes in openapi-document.ts). */
export type Security = 'bearer' | 'admin' | 'orderToken' | 'razorpaySignature';

/** A response as the document describes it: JSON with a schema, or another media type. */
export interface ResponseSpec {
  description: string;
  /** A zod schema for JSON bodies; a media type for others; omitted for empty bodies. */
  body?: z.ZodType | { mediaType: string; text?: true };
  /** Names of response headers (see `RESPONSE_HEADERS`) this status sends. */
  headers?: readonly string[];
}

export interface HeaderParam {
  name: string;
  required: boolean;
  description: string;
  schema?: z.ZodType;
}

/** One route the API serves, described from the same zod schemas the route parses with. */
export interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/v1/me/products/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  security?: readonly Security[];
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  headers?: readonly HeaderParam[];
  body?: { schema: z.ZodType; required?: boolean; example?: unknown } | { mediaType: string };
  responses: Record<number, ResponseSpec>;
}
