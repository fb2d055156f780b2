import { describe, expect, it } from 'vitest';
import { workerBatchWindow } from './worker.ts';

describe('workerBatchWindow', () => {
  it('when the event loop is busy, then the short window; with slack, the long one; asked each time', () => {
    let utilization = 0.95;
    const window = workerBatchWindow(
      { WORKER_MONGO_BATCH_WINDOW_MS: 2, WORKER_MONGO_SLACK_BATCH_WINDOW_MS: 10 },
      { utilization: () => utilization },
    );
    if (typeof window !== 'function') throw new Error('expected a window that follows the loop');
    expect(window()).toBe(2);
    utilization = 0.9;
    expect(window()).toBe(2);
    utilization = 0.5;
    expect(window()).toBe(10);
  });

  it('when the slack window is not longer than the busy one, then one fixed window', () => {
    const loop = { utilization: () => 0 };
    const config = { WORKER_MONGO_BATCH_WINDOW_MS: 5, WORKER_MONGO_SLACK_BATCH_WINDOW_MS: 5 };
    expect(workerBatchWindow(config, loop)).toBe(5);
    expect(workerBatchWindow({ ...config, WORKER_MONGO_SLACK_BATCH_WINDOW_MS: 0 }, loop)).toBe(5);
  });
});
