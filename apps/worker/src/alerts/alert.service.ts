import type { Logger } from '@storefront/shared';

/** Alert kinds; docs/operations.md ("Alerts") says what each means and what to do. */
export type AlertKind = 'webhook_dead';

/** One alert: a log line marked `alert: true`, and a POST to the alert webhook when configured. */
export interface Alert {
  kind: AlertKind;
  message: string;
  details: Record<string, unknown>;
}

/** Raises alerts; never throws (an alert channel failing must not fail the job that raised it). */
export interface Alerter {
  raise(alert: Alert): Promise<void>;
}

/**
 * Alerts go to the log (error level, `alert: true`, so log-based alerting can match them) and,
 * when `url` is set, as JSON to that URL (Slack-compatible `text` plus structured fields) with a
 * bounded timeout. A failed POST is logged, not thrown.
 */
export function createAlerter(opts: {
  logger: Logger;
  url?: string;
  service: string;
  timeoutMs?: number;
}): Alerter {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return {
    async raise(alert) {
      opts.logger.error(alert.message, { alert: true, alertKind: alert.kind, ...alert.details });
      if (!opts.url) return;
      const body = JSON.stringify({
        text: `[${opts.service}] ${alert.message}`,
        alert: alert.kind,
        severity: 'error',
        service: opts.service,
        message: alert.message,
        details: alert.details,
        at: new Date().toISOString(),
      });
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Drain the body so the connection can be reused.
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) {
          opts.logger.warn('alert webhook answered with an error', {
            alertKind: alert.kind,
            status: res.status,
          });
        }
      } catch (err) {
        opts.logger.warn('alert webhook unreachable', { alertKind: alert.kind, err });
      }
    },
  };
}
