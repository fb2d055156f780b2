// Command-line checks shared by the load-test scripts (run.ts, step-cost.ts).

/**
 * `text` as a whole number from `min` to `max`; anything else ends the process with exit code 2
 * and a message naming `--name` (a usage error, before anything was started).
 */
export function wholeNumberArg(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
}
