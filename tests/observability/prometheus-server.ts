import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '@storefront/devstack';
import { tailOf } from '@storefront/test-support';

// A real Prometheus (the OS package's binary) for one test file: its own loopback port, its own
// temporary storage and configuration, stopped and removed afterwards.

export interface PrometheusServer {
  url: string;
  logFile: string;
  /** The last lines Prometheus logged (for a failing test's message). */
  logTail(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const READY_LINE = 'Server is ready to receive web requests.';

/**
 * Starts `prometheus` with `files` written to a directory of its own and the configuration
 * `config(dir)` returns for that directory; resolves once Prometheus says it is ready to serve,
 * rejects if it exits first or is not ready in time.
 */
export async function startPrometheus(opts: {
  config: (dir: string) => unknown;
  files?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-prometheus-'));
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    writeFileSync(join(dir, name), content, { mode: 0o600 });
  }
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(opts.config(dir)));
  const port = await freePort('127.0.0.1');
  const logFile = join(dir, 'prometheus.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // 'close' comes after 'exit', and also after a failed spawn ('error': no prometheus binary).
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  // If the test process itself goes away, the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(hard);
      }
      process.off('exit', killOnExit);
      await new Promise<void>((resolve) => log.end(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = new Promise<void>((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes(READY_LINE)) {
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stderr.on('data', onData);
  });
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      exited.then(() => {
        throw new Error(
          spawnError
            ? `prometheus could not be started (${spawnError.message}); \`make prometheus\` installs it`
            : `prometheus exited while starting (code ${child.exitCode})`,
        );
      }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`prometheus not ready within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    const tail = tailOf(logFile);
    await stop();
    throw new Error(`${(err as Error).message}\n${tail}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  return { url: `http://127.0.0.1:${port}`, logFile, logTail: () => tailOf(logFile), stop };
}
