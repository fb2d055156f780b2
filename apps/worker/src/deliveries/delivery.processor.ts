import type { Job } from 'bullmq';
import { runWithContext, type DeliveryJobData } from '@storefront/shared';
import type { DeliveryOutcome, DeliveryService } from './delivery.service.ts';

/** The `deliveries` job processor; failures are retried by BullMQ (DELIVERY_JOB_OPTIONS). */
export function deliveryProcessor(service: DeliveryService) {
  return (job: Job<DeliveryJobData>): Promise<DeliveryOutcome> =>
    runWithContext({ jobId: job.id, queue: job.queueName }, () =>
      service.deliver(job.data.orderId),
    );
}
