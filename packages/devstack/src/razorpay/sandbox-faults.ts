import { controlError } from './sandbox-errors.ts';
import type { FaultSpec, WebhookDropSpec } from './sandbox.types.ts';

/** A fault still armed, with how many more calls it hits. */
export interface ActiveFault {
  status: number | undefined;
  remaining: number;
  retryAfter: number | undefined;
  latencyMs: number | undefined;
  paths: string[] | undefined;
  keyIds: string[] | undefined;
}

const FAULT_STATUSES = new Set([429, 500, 502, 503]);

/** Armed API faults; each call takes at most one, in the order they were added. */
export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): ActiveFault {
    const fault = parseFault(spec);
    this.faults.push(fault);
    return fault;
  }

  /** Consumes and returns the first fault matching this call, if any. */
  take(path: string, keyId: string | null): ActiveFault | undefined {
    if (this.faults.length === 0) return undefined;
    const index = this.faults.findIndex((fault) => matches(fault, path, keyId));
    if (index === -1) return undefined;
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  list(): ActiveFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}

function matches(fault: ActiveFault, path: string, keyId: string | null): boolean {
  if (fault.paths !== undefined && !fault.paths.some((prefix) => path.startsWith(prefix))) {
    return false;
  }
  if (fault.keyIds !== undefined && (keyId === null || !fault.keyIds.includes(keyId))) {
    return false;
  }
  return true;
}

function parseFault(spec: FaultSpec): ActiveFault {
  const { status, count = 1, retryAfter, latencyMs, paths, keyIds } = spec;
  if (status !== undefined && !FAULT_STATUSES.has(status)) {
    throw controlError('status must be one of 429, 500, 502, 503');
  }
  if (status === undefined && latencyMs === undefined) {
    throw controlError('a fault needs a status, a latencyMs, or both');
  }
  if (!Number.isInteger(count) || count < 1) throw controlError('count must be a positive integer');
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw controlError('retryAfter must be a non-negative integer (seconds)');
  }
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw controlError('latencyMs must be a non-negative number');
  }
  return {
    status,
    remaining: count,
    retryAfter,
    latencyMs,
    paths: optionalStrings(paths, 'paths'),
    keyIds: optionalStrings(keyIds, 'keyIds'),
  };
}

function optionalStrings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw controlError(`${name} must be an array of strings`);
  }
  return value;
}

interface DropRule {
  remaining: number;
  ratio: number | undefined;
  keyIds: string[] | undefined;
}

/** Decides which webhook deliveries are lost on purpose. */
export class WebhookDropper {
  private rules: DropRule[] = [];

  add(spec: WebhookDropSpec): void {
    const { count, ratio } = spec;
    if ((count === undefined) === (ratio === undefined)) {
      throw controlError('give either count or ratio');
    }
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
      throw controlError('count must be a positive integer');
    }
    if (ratio !== undefined && !(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
      throw controlError('ratio must be between 0 and 1');
    }
    this.rules.push({
      remaining: count ?? Number.POSITIVE_INFINITY,
      ratio,
      keyIds: optionalStrings(spec.keyIds, 'keyIds'),
    });
  }

  /** True when this delivery should be dropped; consumes a counted drop. */
  shouldDrop(keyId: string): boolean {
    for (let i = 0; i < this.rules.length; i += 1) {
      const rule = this.rules[i];
      if (rule === undefined || (rule.keyIds !== undefined && !rule.keyIds.includes(keyId))) {
        continue;
      }
      if (rule.ratio !== undefined) {
        if (Math.random() < rule.ratio) return true;
        continue;
      }
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules.splice(i, 1);
      return true;
    }
    return false;
  }

  clear(): void {
    this.rules = [];
  }
}
