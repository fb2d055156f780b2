import { envSchema, PRODUCTION_REQUIRED, type Config } from './env.schema.ts';
import { mongoConfigProblems } from './mongo-config.ts';
import { redisConfigProblems } from './redis-config.ts';

/** Raised when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses an environment (default: process.env) into a frozen, typed config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", so an `X=` line in a .env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const problems: string[] = [];
  if (cleaned.NODE_ENV === 'production') {
    for (const name of PRODUCTION_REQUIRED) {
      if (cleaned[name] === undefined) problems.push(`${name}: required when NODE_ENV=production`);
    }
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.') || '(root)';
      const received = cleaned[String(issue.path[0])];
      problems.push(
        `${name}: ${issue.message}${received === undefined ? '' : ` (got ${JSON.stringify(redactValue(name, received))})`}`,
      );
    }
  }
  problems.push(...redisConfigProblems(cleaned), ...mongoConfigProblems(cleaned));
  if (parsed.success && parsed.data.S3_IMAGES_BUCKET === parsed.data.S3_BUCKET) {
    // Public images and private product files never share a bucket (docs/security.md).
    problems.push('S3_IMAGES_BUCKET: must differ from S3_BUCKET (public images, private files)');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze(parsed.data);
}

function redactValue(name: string, value: string): string {
  return /SECRET|PASSWORD|KEYS?$/.test(name) ? '[redacted]' : value;
}

/** Loads config or prints every problem and exits: for process entry points only. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export type { Config } from './env.schema.ts';
