// Public API of @storefront/shared. Each feature appends its exports below.
export * from './config/config.ts';
export * from './config/env.schema.ts';
export * from './logging/context.ts';
export * from './logging/logger.ts';
export * from './logging/redact.ts';
export * from './errors/app-error.ts';
export * from './metrics/registry.ts';
export * from './db/mongo.ts';
export * from './redis/redis.ts';
export * from './queues/queue-names.ts';
export * from './orders/order-state.ts';
export * from './orders/order.model.ts';
export * from './orders/order-transitions.ts';
export * from './queues/producers.ts';
export * from './payments/transaction.model.ts';
export * from './payments/payment-outcomes.ts';
export * from './webhooks/webhook-event.model.ts';
