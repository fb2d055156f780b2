import { z } from 'zod';

/** The longest `?wait=` a status read may ask for, in seconds (well under proxies' idle timeouts). */
export const MAX_ORDER_WAIT_SECONDS = 25;

/**
 * Query of `GET /api/v1/orders/:id`. `wait`: seconds the read may wait for the order to be
 * delivered before it answers (0, the default, answers at once). Other parameters are ignored,
 * as before (a cache-busting `?_=` from some clients).
 */
export const orderStatusQuery = z.object({
  token: z.string().optional(),
  wait: z
    .string()
    .regex(/^\d{1,2}$/, `must be a whole number of seconds from 0 to ${MAX_ORDER_WAIT_SECONDS}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .max(
          MAX_ORDER_WAIT_SECONDS,
          `must be a whole number of seconds from 0 to ${MAX_ORDER_WAIT_SECONDS}`,
        ),
    )
    .optional()
    .describe(
      `Seconds (0–${MAX_ORDER_WAIT_SECONDS}) to wait for the order's download before answering, if it has none yet: the answer comes when the download is ready or the time is up, whichever is first. 0 (the default): at once. A process at its limit of waiting reads (ORDER_STATUS_MAX_WAITERS) answers at once.`,
    ),
});
