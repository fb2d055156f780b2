import type { ManagedProcess } from './processes.ts';

/**
 * Restarts API and worker processes that exit when the run did not stop them, as a process
 * supervisor (systemd, Kubernetes) would; the report lists those exits. On a shared machine this
 * also covers processes ended from outside the run.
 */
export class Supervisor {
  private readonly procs: ManagedProcess[];
  private readonly heldDown: (p: ManagedProcess) => boolean;
  private readonly note: (what: string) => void;
  private timer: NodeJS.Timeout | undefined;
  /** Restarts in progress, each settling when its process is up or its start failed. */
  private restarting = new Map<ManagedProcess, Promise<void>>();
  private stopped = false;

  /** `heldDown(p)`: the run itself has `p` down on purpose (a worker between kill and restart). */
  constructor(
    procs: ManagedProcess[],
    heldDown: (p: ManagedProcess) => boolean,
    note: (what: string) => void,
  ) {
    this.procs = procs;
    this.heldDown = heldDown;
    this.note = note;
  }

  start(): void {
    this.timer = setInterval(() => this.check(), 500);
  }

  /** Stops watching; waits for restarts in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.restarting.values());
  }

  private check(): void {
    for (const p of this.procs) {
      if (this.stopped || p.running() || this.restarting.has(p) || this.heldDown(p)) continue;
      const why = p.unexpectedExits().at(-1) ?? 'unknown';
      this.note(`${p.name} exited unasked (${why}); restarting it`);
      this.restarting.set(
        p,
        p
          .start()
          .catch((err: unknown) => this.note(`${p.name} restart failed: ${String(err)}`))
          .finally(() => this.restarting.delete(p)),
      );
    }
  }
}
