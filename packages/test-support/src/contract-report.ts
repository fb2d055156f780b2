// Vitest global setup: clears the contract records before the run and, after it, prints how much of
// the OpenAPI document the suite exercised (operations × statuses) and every contract mismatch.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '@storefront/api';
import { CONTRACT_RECORDS_DIR, type ContractRecord } from './contract.ts';

function documentedPairs(): Set<string> {
  const doc = buildOpenApiDocument() as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  const pairs = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const status of Object.keys(op.responses)) {
        pairs.add(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  return pairs;
}

function readRecords(): ContractRecord[] {
  let files: string[];
  try {
    files = readdirSync(CONTRACT_RECORDS_DIR);
  } catch {
    return []; // no API test ran
  }
  return files.flatMap((f) =>
    readFileSync(join(CONTRACT_RECORDS_DIR, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ContractRecord),
  );
}

/** The report line, the distinct mismatches and the documented pairs not exercised, from a run. */
export function contractReport(records: ContractRecord[]): {
  line: string;
  mismatches: string[];
  missing: string[];
} {
  const documented = documentedPairs();
  const seen = new Set(records.map((r) => `${r.operation} ${r.status}`));
  const missing = [...documented].filter((p) => !seen.has(p));
  const covered = documented.size - missing.length;
  const mismatches = [
    ...new Set(records.flatMap((r) => r.problems.map((p) => `${r.operation} ${r.status}: ${p}`))),
  ].sort();
  const pct = documented.size === 0 ? 0 : (100 * covered) / documented.size;
  return {
    line: `API contract: ${covered}/${documented.size} operation×status pairs exercised (${pct.toFixed(1)} %), ${records.length} responses checked, ${mismatches.length} distinct mismatches`,
    mismatches,
    missing,
  };
}

export default function setup(): () => void {
  rmSync(CONTRACT_RECORDS_DIR, { recursive: true, force: true });
  return () => {
    const records = readRecords();
    if (records.length === 0) return;
    const { line, mismatches, missing } = contractReport(records);
    console.log(`\n${line}`);
    for (const m of mismatches.slice(0, 50)) console.log(`  ${m}`);
    // Worth seeing while the list is short: what the document says that no test provoked.
    if (missing.length <= 30) for (const p of missing) console.log(`  not exercised: ${p}`);
  };
}
