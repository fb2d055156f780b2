// The API contract check: every response the shared HTTP helpers receive is checked against the
// OpenAPI document (apps/api/src/openapi): the route and status must be documented, a JSON body
// must match the status's schema, and the headers it marks required must be present. Each check is
// recorded (contract-report.ts prints operations × statuses covered and the mismatches).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { buildOpenApiDocument } from '@storefront/api';
import { realFetch } from './real-fetch.ts';

/** Where each test process appends its contract records (one JSON object a line). */
export const CONTRACT_RECORDS_DIR = fileURLToPath(
  new URL('../../../node_modules/.cache/api-contract/', import.meta.url),
);

/** One checked response: the operation (`METHOD /template`) and status, and what did not match. */
export interface ContractRecord {
  operation: string;
  status: number;
  problems: string[];
}

interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { headers: Record<string, unknown> };
}
interface Operation {
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> }
  >;
}

interface Route {
  template: string;
  pattern: RegExp;
  literalChars: number;
}

let loaded: { doc: Doc; routes: Route[]; ajv: Ajv2020 } | undefined;
const validators = new Map<string, ValidateFunction>();

function contract() {
  if (loaded) return loaded;
  const doc = buildOpenApiDocument() as unknown as Doc;
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    // The formats the document uses, checked here (ajv has none built in).
    formats: {
      email: /^[^\s@]+@[^\s@]+$/,
      'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/,
    },
  });
  ajv.addSchema({ components: (doc as unknown as { components: unknown }).components }, 'doc');
  const routes = Object.keys(doc.paths).map((template) => ({
    template,
    // As Express routes: case-insensitive, an optional trailing slash.
    pattern: new RegExp(
      `^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`,
      'i',
    ),
    literalChars: template.replace(/\{[^}]+\}/g, '').length,
  }));
  // The most specific template wins (`/healthz` over `/{username}`), as the router decides.
  routes.sort((a, b) => b.literalChars - a.literalChars);
  loaded = { doc, routes, ajv };
  return loaded;
}

function validator(key: string, schema: unknown): ValidateFunction {
  let v = validators.get(key);
  if (v === undefined) {
    const { ajv } = contract();
    // Component refs resolve against the whole document registered as `doc`.
    const rewritten = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'),
    ) as object;
    v = ajv.compile(rewritten);
    validators.set(key, v);
  }
  return v;
}

// Answers that no operation describes, by design: Bull Board (a third-party UI with its own
// internal JSON API, behind the admin credentials; admin-auth.test.ts covers its access), CORS
// preflights (the CORS layer answers OPTIONS on any path before routing) and paths the API does
// not serve (the cross-cutting layers and the not-found handler answer them). They are recorded
// under these names, outside the coverage figure; every error among them must still be the one
// error envelope.
const BULL_BOARD = /^\/admin\/queues(?:\/|$)/i;
const NO_SUCH_ROUTE = '(no such route)';
// What the layers in front of the routes (body parsing, rate limits) and the not-found handler
// answer for a path no route serves.
const UNROUTED_STATUSES = new Set([400, 404, 413, 415, 429, 503]);
function outsideTheDocument(method: string, path: string): string {
  if (BULL_BOARD.test(path)) return '(Bull Board)';
  if (method.toUpperCase() === 'OPTIONS') return '(CORS preflight)';
  return NO_SUCH_ROUTE;
}

function checkUnroutedError(
  record: ContractRecord,
  res: { status: number; headers: Headers },
  bodyText: string,
): void {
  if (record.operation === NO_SUCH_ROUTE && !UNROUTED_STATUSES.has(res.status)) {
    // Anything else means a route answered that the document does not have.
    record.problems.push('undocumented route');
    return;
  }
  const type = res.headers.get('content-type') ?? '';
  if (res.status < 400 || bodyText === '' || !type.startsWith('application/json')) return;
  const v = validator('#/components/schemas/Error', { $ref: '#/components/schemas/Error' });
  if (!v(JSON.parse(bodyText))) {
    for (const e of v.errors ?? []) record.problems.push(`body${e.instancePath} ${e.message}`);
  }
}

/** Checks one response against the document: the operation, the status and what did not match. */
export function checkResponse(
  method: string,
  url: string,
  res: { status: number; headers: Headers },
  bodyText: string,
): ContractRecord {
  const { doc, routes } = contract();
  const path = new URL(url, 'http://x').pathname;
  // Express answers HEAD with its GET route.
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const route = routes.find((r) => r.pattern.test(path) && doc.paths[r.template]?.[m]);
  const record: ContractRecord = {
    operation: `${method.toUpperCase()} ${route?.template ?? path}`,
    status: res.status,
    problems: [],
  };
  const op = route && doc.paths[route.template]?.[m];
  if (!op) {
    record.operation = outsideTheDocument(method, path);
    checkUnroutedError(record, res, bodyText);
    return record;
  }
  const spec = op.responses[String(res.status)];
  if (!spec) {
    record.problems.push(`undocumented status ${res.status}`);
    return record;
  }
  for (const name of Object.keys(spec.headers ?? {})) {
    const header = doc.components.headers[name] as { required?: boolean } | undefined;
    if (header?.required === true && !res.headers.has(name)) {
      record.problems.push(`missing header ${name}`);
    }
  }
  const schema = spec.content?.['application/json']?.schema;
  const type = res.headers.get('content-type') ?? '';
  if (schema !== undefined && bodyText !== '') {
    if (!type.startsWith('application/json')) {
      record.problems.push(`content-type ${type}, documented application/json`);
    } else {
      const v = validator(`${record.operation} ${res.status}`, schema);
      if (!v(JSON.parse(bodyText))) {
        for (const e of v.errors ?? []) record.problems.push(`body${e.instancePath} ${e.message}`);
      }
    }
  }
  return record;
}

function save(record: ContractRecord): ContractRecord {
  mkdirSync(CONTRACT_RECORDS_DIR, { recursive: true });
  appendFileSync(join(CONTRACT_RECORDS_DIR, `${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
  return record;
}

/**
 * Checks one response an API test received (see checkResponse), records it for the coverage
 * report and throws when it breaks the contract. Only vitest runs are checked: the load and chaos
 * harnesses share these helpers but measure. `API_CONTRACT=record` (and the faults and heavy
 * suites, whose outages are not the contract's subject) lists mismatches at the end of the run
 * (contract-report.ts) without failing.
 */
export function enforceContract(
  method: string,
  url: string,
  res: { status: number; headers: Headers },
  bodyText: string,
): void {
  if (process.env.VITEST === undefined) return;
  const record = save(checkResponse(method, url, res, bodyText));
  const suite = process.env.TEST_SUITE;
  const recordOnly =
    process.env.API_CONTRACT === 'record' || suite === 'faults' || suite === 'heavy';
  if (record.problems.length > 0 && !recordOnly) {
    throw new Error(
      `response breaks the API contract: ${record.operation} ${record.status}: ${record.problems.join('; ')}`,
    );
  }
}

/** Calls `fetch` and checks the answer against the contract (the body stays readable). */
export async function contractFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await realFetch(url, init);
  enforceContract(init.method ?? 'GET', url, res, await res.clone().text());
  return res;
}
