// Demo data: the `demo` creator (password `demo-password-123`) with 4 active products and a
// draft, plus optional long-tail creators `creator0001…` for load tests. Idempotent: creators are
// upserted by username and products by (creator, title), so reruns change nothing.
//
//   node scripts/seed-demo.ts [--creators N] [--products-per-creator M]
//
// It writes MongoDB only; a running API keeps serving cached storefronts until they expire.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import type { AnyBulkWriteOperation, Connection, Types } from 'mongoose';
import {
  createLogger,
  createMongoConnection,
  creatorModel,
  loadConfigOrExit,
  productModel,
  type Creator,
  type Product,
} from '@storefront/shared';

export const DEMO_USERNAME = 'demo';
export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password-123';

interface SeedProduct {
  title: string;
  description: string;
  price: number;
  status: 'active' | 'draft';
}

const DEMO_PRODUCTS: SeedProduct[] = [
  {
    title: 'Lightroom Preset Pack',
    description: '25 film-look presets for Lightroom Classic and mobile.',
    price: 49900,
    status: 'active',
  },
  {
    title: 'Street Photography Guide',
    description: 'A 60-page PDF on composition, light and approach.',
    price: 29900,
    status: 'active',
  },
  {
    title: '4K Stock Footage: Monsoon',
    description: '12 clips of monsoon streets, licensed for commercial use.',
    price: 149900,
    status: 'active',
  },
  {
    title: 'Wallpaper Bundle',
    description: 'Phone and desktop wallpapers from the 2025 series.',
    price: 9900,
    status: 'active',
  },
  {
    title: 'Editing Masterclass (coming soon)',
    description: 'Two hours of raw-to-final editing.',
    price: 199900,
    status: 'draft',
  },
];

const CHUNK = 500;

/**
 * Upserts the demo creator and, optionally, `creators` long-tail creators with
 * `productsPerCreator` active products each. Returns every seeded username.
 */
export async function seedDemo(
  conn: Connection,
  opts: { creators?: number; productsPerCreator?: number } = {},
): Promise<{ usernames: string[] }> {
  const creators = creatorModel(conn);
  const products = productModel(conn);
  // One hash for every seeded account: hashing is deliberately slow, and these are demo accounts.
  const passwordHash = await hash(DEMO_PASSWORD);

  const profiles: Array<{ username: string; products: SeedProduct[] }> = [
    { username: DEMO_USERNAME, products: DEMO_PRODUCTS },
  ];
  const perCreator = opts.productsPerCreator ?? 3;
  for (let i = 1; i <= (opts.creators ?? 0); i++) {
    const username = `creator${String(i).padStart(4, '0')}`;
    profiles.push({
      username,
      products: Array.from({ length: perCreator }, (_, j) => ({
        title: `Product ${j + 1} by ${username}`,
        description: `Digital product number ${j + 1}.`,
        price: 9900 + j * 10000,
        status: 'active' as const,
      })),
    });
  }

  for (let start = 0; start < profiles.length; start += CHUNK) {
    const batch = profiles.slice(start, start + CHUNK);
    const creatorOps: AnyBulkWriteOperation<Creator>[] = batch.map(({ username }) => ({
      updateOne: {
        filter: { username },
        update: {
          $set: {
            displayName:
              username === DEMO_USERNAME ? 'Demo Creator' : `Creator ${username.slice(7)}`,
            bio:
              username === DEMO_USERNAME
                ? 'Photographer and educator. Presets, guides and footage from the road.'
                : 'A long-tail demo creator.',
            links:
              username === DEMO_USERNAME
                ? [
                    { label: 'Website', url: 'https://example.com' },
                    { label: 'Instagram', url: 'https://instagram.com/example' },
                  ]
                : [],
          },
          $setOnInsert: {
            email: username === DEMO_USERNAME ? DEMO_EMAIL : `${username}@example.com`,
            passwordHash,
          },
        },
        upsert: true,
      },
    }));
    await creators.bulkWrite(creatorOps, { ordered: false });

    const ids = await creators
      .find({ username: { $in: batch.map((p) => p.username) } }, { username: 1 })
      .lean<Array<{ _id: Types.ObjectId; username: string }>>()
      .exec();
    const idOf = new Map(ids.map((c) => [c.username, c._id]));
    const productOps: AnyBulkWriteOperation<Product>[] = batch.flatMap(
      ({ username, products: items }) => {
        const creatorId = idOf.get(username);
        if (!creatorId) throw new Error(`seeded creator ${username} not found`);
        return items.map((p, position) => ({
          updateOne: {
            filter: { creatorId, title: p.title },
            update: {
              $set: { description: p.description, price: p.price, status: p.status, position },
              $setOnInsert: { currency: 'INR' as const },
              $unset: { deletedAt: 1 as const },
            },
            upsert: true,
          },
        }));
      },
    );
    if (productOps.length > 0) await products.bulkWrite(productOps, { ordered: false });
  }
  return { usernames: profiles.map((p) => p.username) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      creators: { type: 'string', default: '0' },
      'products-per-creator': { type: 'string', default: '3' },
    },
  });
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'seed' });
  const conn = await createMongoConnection({ url: config.MONGO_URL, poolSize: 4, logger });
  try {
    const { usernames } = await seedDemo(conn, {
      creators: Number(values.creators),
      productsPerCreator: Number(values['products-per-creator']),
    });
    process.stdout.write(
      `seeded ${usernames.length} creator(s); demo login: ${DEMO_EMAIL} / ${DEMO_PASSWORD}\n`,
    );
  } finally {
    await conn.close();
  }
}
