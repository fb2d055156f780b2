import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi-document.ts';
import { OPERATIONS } from './operations.ts';

describe('the OpenAPI document', () => {
  it('when generated, then it is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(buildOpenApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('when generated, then every $ref resolves to a component', () => {
    const doc = buildOpenApiDocument() as { components: Record<string, Record<string, unknown>> };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, kind, name] of refs) expect(doc.components[kind!]?.[name!], name).toBeDefined();
  });

  it('when generated, then operation ids are unique and every error uses the one envelope', () => {
    const ids = OPERATIONS.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const doc = buildOpenApiDocument() as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
        >
      >;
    };
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, res] of Object.entries(op.responses)) {
          const json = res.content?.['application/json']?.schema;
          if (Number(status) >= 400 && json !== undefined && status !== '503') {
            expect(json).toEqual({ $ref: '#/components/schemas/Error' });
          }
        }
      }
    }
  });
});
