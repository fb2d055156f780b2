// Writes the OpenAPI document generated from the API's zod schemas to docs/openapi.json, or with
// --check fails when the committed copy is stale (make lint runs the check, then Redocly on it).
// Usage: node scripts/openapi.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '@storefront/api';

const file = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const text = `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== text) {
    console.error('docs/openapi.json is stale: run `node scripts/openapi.ts` and commit it');
    process.exit(1);
  }
  console.log('docs/openapi.json is up to date');
} else {
  writeFileSync(file, text);
  console.log('wrote docs/openapi.json');
}
