import type { Redis } from './redis.ts';
import { isRedisCluster } from './redis-slots.ts';

// The API processes' bus: the Redis pub/sub channels every API process subscribes to (the
// storefront's invalidations and their acks, and the order notices below). Named here so that a
// publisher in another process (the worker) uses the same names.
//
// On Redis Cluster the bus uses sharded pub/sub (SSUBSCRIBE / SPUBLISH) on channels that share
// one hash tag, so one subscription on the slot's primary hears all of them.

/** The bus channel for `suffix`: one node keeps `store:…`; on Cluster the `{store-bus}` tag. */
export function apiBusChannel(prefix: string, sharded: boolean, suffix: string): string {
  return `${prefix}${sharded ? '{store-bus}:' : 'store:'}${suffix}`;
}

/**
 * The name to hand `client` for `channel`: ioredis treats sharded channels as keys and adds its
 * keyPrefix to them (plain channels it leaves alone), so that part is not given twice. Messages
 * arrive under the full name.
 */
export function busChannelForClient(client: Redis, channel: string, sharded: boolean): string {
  const prefix = client.options.keyPrefix ?? '';
  if (!sharded || prefix === '') return channel;
  if (!channel.startsWith(prefix)) {
    throw new Error(`channel ${channel} does not start with the client's key prefix ${prefix}`);
  }
  return channel.slice(prefix.length);
}

/** Publishes on a bus channel; resolves with how many subscribers received the message. */
export async function publishOnBus(
  client: Redis,
  channel: string,
  message: string,
  sharded: boolean,
): Promise<number> {
  return sharded
    ? Number(await client.spublish(busChannelForClient(client, channel, sharded), message))
    : client.publish(channel, message);
}

/** Suffix of the bus channel on which delivered orders are announced. */
export const ORDER_NOTICES_CHANNEL = 'orders';

/**
 * Announces that orders changed in a way their buyers wait for (delivered): a message of their
 * ids, comma-separated, on the bus's orders channel. API processes answer the order status reads
 * that wait for them (`GET /api/v1/orders/{id}?wait=…`). Nothing depends on the notice arriving:
 * a waiting read that hears nothing answers when its wait is over.
 */
export function publishOrderNotices(
  client: Redis,
  channelPrefix: string,
  orderIds: readonly string[],
): Promise<number> {
  const sharded = isRedisCluster(client);
  const channel = apiBusChannel(channelPrefix, sharded, ORDER_NOTICES_CHANNEL);
  return publishOnBus(client, channel, orderIds.join(','), sharded);
}

/** The order ids of a notice (`publishOrderNotices`); ignores anything that is not one. */
export function orderIdsInNotice(message: string): string[] {
  return message.split(',').filter((id) => /^[0-9a-f]{24}$/.test(id));
}
