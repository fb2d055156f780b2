import { formatReport, recordRun } from './report.ts';
import { OPTION_HELP, OptionError, parseChaosOptions } from './options.ts';
import { runChaos } from './chaos.ts';
import type { ChaosStack } from './stack.ts';

// `make chaos`: the fault-injection run. Flags and CHAOS_* variables: `--help`, docs/reliability.md.
// Exits 0 when nothing was lost or applied twice, 1 when a rule broke, 2 when it could not run.

let parsed: ReturnType<typeof parseChaosOptions>;
try {
  parsed = parseChaosOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof OptionError)) throw err;
  process.stderr.write(`${err.message}\n\n${OPTION_HELP}\n`);
  process.exit(64);
}
if (parsed.help) {
  process.stdout.write(`${OPTION_HELP}\n`);
  process.exit(0);
}

const abort = new AbortController();
let stack: ChaosStack | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  process.stderr.write(`\n${signal}: stopping the run and everything it started\n`);
  abort.abort(new Error(`interrupted by ${signal}`));
  // A second signal does not wait for the orderly stop.
  process.once(signal, () => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
// Last resort: whatever happens to this process, its children do not outlive it.
process.on('exit', () => stack?.killAllSync());

try {
  const report = await runChaos(parsed.options, {
    log: (line) => process.stdout.write(`${line}\n`),
    signal: abort.signal,
    onStack: (s) => (stack = s),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  if (parsed.options.recordTo) {
    recordRun(parsed.options.recordTo, report, commandLine());
    process.stdout.write(`recorded in ${parsed.options.recordTo}\n`);
  }
  process.exitCode = report.passed ? 0 : 1;
} catch (err) {
  process.stderr.write(
    `chaos run could not complete: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
}

/** How this run was started, for the record: CHAOS_* variables, then the command and its flags. */
function commandLine(): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith('CHAOS_') && k !== 'CHAOS_RECORD')
    .map(([k, v]) => `${k}=${v}`);
  const args: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--record') i += 1;
    else if (!a.startsWith('--record=')) args.push(a);
  }
  return [...vars, 'node tests/chaos/run.ts', ...args].join(' ');
}
