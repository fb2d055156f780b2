import { z } from 'zod';
import type { HeaderParam, OperationSpec, ResponseSpec, Security } from './operation.ts';
import { E415 } from './responses.ts';
import { OPERATIONS, TAGS } from './operations.ts';
import { RESPONSE_SCHEMAS } from './response.schemas.ts';

type Json = Record<string, unknown>;

/** Headers a response may carry, described once. */
export const RESPONSE_HEADERS: Record<
  string,
  { description: string; required?: true; schema: Json }
> = {
  // Always sent where listed; the others depend on configuration (rate limits) or state (token age).
  ETag: {
    description: 'Strong validator for If-None-Match',
    required: true,
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'Remaining quota (IETF draft 8), e.g. `"public";r=99;t=60`',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'The quota this request counts against, e.g. `"public";q=100;w=60`',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  'X-Refreshed-Token': {
    description: 'A fresh bearer token, sent when the presented one is getting old',
    schema: { type: 'string' },
  },
};

const SECURITY_SCHEMES: Record<Security, Json> = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Creator session' },
  admin: { type: 'http', scheme: 'basic', description: 'Operators (ADMIN_USERNAME/PASSWORD)' },
  orderToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The order access token from checkout (also accepted as `?token=`)',
  },
  razorpaySignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Razorpay-Signature',
    description: 'HMAC-SHA256 of the raw body with the account’s webhook secret',
  },
};

// Converts a zod schema; named sub-schemas become `$ref`s into components.schemas.
class SchemaSet {
  readonly components: Record<string, Json> = {};
  private readonly names = new Map<z.core.$ZodType, string>();

  constructor(named: Record<string, z.ZodType>) {
    for (const [name, schema] of Object.entries(named)) this.names.set(schema, name);
  }

  ref(schema: z.ZodType, io: 'input' | 'output', nameHint?: string): Json {
    const name = this.names.get(schema) ?? nameHint;
    const json = this.convert(schema, io, name);
    if (name === undefined) return json;
    this.components[name] ??= json;
    return { $ref: `#/components/schemas/${name}` };
  }

  private convert(schema: z.core.$ZodType, io: 'input' | 'output', self: string | undefined): Json {
    const json = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      reused: 'inline',
      override: (ctx) => {
        const name = this.names.get(ctx.zodSchema);
        if (name === undefined || name === self) return;
        this.components[name] ??= this.convert(ctx.zodSchema, io, name);
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        ctx.jsonSchema.$ref = `#/components/schemas/${name}`;
      },
    }) as Json;
    delete json.$schema;
    return json;
  }
}

function headerParam(h: HeaderParam): Json {
  return {
    name: h.name,
    in: 'header',
    required: h.required,
    description: h.description,
    schema: { type: 'string' },
  };
}

function objectParams(
  where: 'path' | 'query',
  schema: z.ZodObject | undefined,
  set: SchemaSet,
): Json[] {
  if (schema === undefined) return [];
  const json = set.ref(schema, 'input') as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

function response(spec: ResponseSpec, set: SchemaSet): Json {
  const out: Json = { description: spec.description };
  if (spec.headers?.length) {
    out.headers = Object.fromEntries(
      spec.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }]),
    );
  }
  const body = spec.body;
  if (body === undefined) return out;
  if ('mediaType' in body) {
    out.content = {
      [body.mediaType]: {
        schema: body.text
          ? { type: 'string' }
          : body.mediaType === 'application/json'
            ? { type: 'object' }
            : { type: 'string', contentMediaType: body.mediaType },
      },
    };
  } else {
    out.content = { 'application/json': { schema: set.ref(body, 'output') } };
  }
  return out;
}

function operation(op: OperationSpec, set: SchemaSet): Json {
  const out: Json = {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    security: op.security ? op.security.map((s) => ({ [s]: [] })) : [],
  };
  const parameters = [
    ...objectParams('path', op.pathParams, set),
    ...objectParams('query', op.query, set),
    ...(op.headers ?? []).map(headerParam),
  ];
  if (parameters.length) out.parameters = parameters;
  if (op.body !== undefined) {
    const body = op.body;
    out.requestBody =
      'mediaType' in body
        ? { required: true, content: { [body.mediaType]: { schema: {} } } }
        : {
            required: body.required ?? true,
            content: {
              'application/json': {
                schema: set.ref(body.schema, 'input', `${pascal(op.operationId)}Body`),
                ...(body.example === undefined ? {} : { example: body.example }),
              },
            },
          };
  }
  // Every JSON body is refused with 415 when sent as anything else (http/json-body.ts).
  const responses: Record<number, ResponseSpec> =
    op.body !== undefined && !('mediaType' in op.body)
      ? { 415: E415, ...op.responses }
      : op.responses;
  out.responses = Object.fromEntries(
    Object.entries(responses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, spec]) => [status, response(spec, set)]),
  );
  return out;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The OpenAPI 3.1 document for every operation in `operations`, generated from their zod schemas. */
export function buildOpenApiDocument(
  operations: readonly OperationSpec[] = OPERATIONS,
  named: Record<string, z.ZodType> = RESPONSE_SCHEMAS,
): Json {
  const set = new SchemaSet(named);
  const paths: Record<string, Json> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operation(op, set);
  return {
    openapi: '3.1.1',
    info: {
      title: 'Creator storefront API',
      version: '1.0.0',
      description:
        'Storefronts, checkout and Razorpay webhooks. Generated from the validation schemas.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({
      name,
      description: TAGS[name],
    })),
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(set.components).sort(([a], [b]) => a.localeCompare(b)),
      ),
      headers: RESPONSE_HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
