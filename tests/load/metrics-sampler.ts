// Once a second during a load run, a process's metrics text: the one timer loop behind the
// drop's backlog monitor and the event loop monitor.

/** How often a sampler reads. */
export const SAMPLE_MS = 1_000;

/**
 * Reads metrics text from `read` every SAMPLE_MS, the first time `firstAfterMs` after start(),
 * and hands each reading to `onText` with the time it arrived (epoch ms). A reading that fails or
 * gives undefined is skipped; one under way at stop() is still handed over (its `at` is later).
 */
export class MetricsSampler {
  private readonly read: () => Promise<string | undefined>;
  private readonly onText: (text: string, at: number) => void;
  private readonly firstAfterMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    read: () => Promise<string | undefined>,
    onText: (text: string, at: number) => void,
    firstAfterMs = SAMPLE_MS,
  ) {
    this.read = read;
    this.onText = onText;
    this.firstAfterMs = firstAfterMs;
  }

  start(): void {
    this.running = true;
    const tick = async () => {
      const text = await this.read().catch(() => undefined);
      if (text !== undefined) this.onText(text, Date.now());
      if (this.running) this.timer = setTimeout(() => void tick(), SAMPLE_MS);
    };
    this.timer = setTimeout(() => void tick(), this.firstAfterMs);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
