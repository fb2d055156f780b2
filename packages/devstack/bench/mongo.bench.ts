// Throughput of the in-memory MongoDB-compatible server through the real driver.
// Run: node packages/devstack/bench/mongo.bench.ts   (or: npm run bench:mongo -w @storefront/devstack)
// Set MONGO_URL to run the same benchmark against another server.
import { MongoClient, ObjectId, type Collection } from 'mongodb';
import { startMongoServer } from '../src/mongo/index.ts';

interface UserDoc {
  _id: ObjectId;
  email: string;
  n: number;
  name: string;
  createdAt: Date;
}

const SIZES = [1_000, 100_000];
const OPS = 5_000;
const CONCURRENCY = 16;

async function timed(
  label: string,
  ops: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ops) await fn(next++);
    }),
  );
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const rate = ops / secs;
  const cpuPerOp = (cpu.user + cpu.system) / ops;
  if (label) {
    console.log(
      `  ${label.padEnd(34)} ${Math.round(rate).toString().padStart(8)} ops/s ${Math.round(cpuPerOp).toString().padStart(6)} µs CPU/op`,
    );
  }
  return rate;
}

function makeDoc(i: number): UserDoc {
  return {
    _id: new ObjectId(),
    email: `user${i}@example.com`,
    n: i,
    name: `User ${i}`,
    createdAt: new Date(),
  };
}

async function fill(c: Collection<UserDoc>, size: number): Promise<UserDoc[]> {
  const docs = Array.from({ length: size }, (_, i) => makeDoc(i));
  for (let i = 0; i < docs.length; i += 1000)
    await c.insertMany(docs.slice(i, i + 1000), { ordered: false });
  return docs;
}

const server = process.env.MONGO_URL ? null : await startMongoServer();
const url = process.env.MONGO_URL ?? server?.url ?? '';
const client = new MongoClient(url, { maxPoolSize: CONCURRENCY });
await client.connect();
const db = client.db(`bench_${Date.now()}`);
const results = new Map<number, Record<string, number>>();

// Warm up the JIT on both sides so the first measured row is not penalised.
{
  const w = db.collection<UserDoc>('warmup');
  await w.createIndex({ email: 1 }, { unique: true });
  const docs = await fill(w, 2000);
  await timed('', 3000, (i) => w.insertOne(makeDoc(10_000 + i)));
  await timed('', 3000, (i) => w.findOne({ _id: (docs[i % docs.length] as UserDoc)._id }));
  await timed('', 3000, (i) => w.findOne({ email: (docs[i % docs.length] as UserDoc).email }));
  await timed('', 3000, (i) =>
    w.updateOne({ _id: (docs[i % docs.length] as UserDoc)._id }, { $inc: { n: 1 } }),
  );
}
console.log(
  `server: ${process.env.MONGO_URL ? url : 'in-memory (startMongoServer), same process'}; ${OPS} ops per row, ${CONCURRENCY} in flight`,
);
console.log(
  'CPU/op is this process (driver + server) and is steadier than ops/s on a busy machine.',
);

for (const size of SIZES) {
  const c = db.collection<UserDoc>(`users_${size}`);
  await c.createIndex({ email: 1 }, { unique: true });
  const t0 = Date.now();
  const docs = await fill(c, size);
  console.log(`\n${size} documents (filled in ${Date.now() - t0} ms)`);
  const pick = (i: number) => docs[(i * 7919) % docs.length] as UserDoc;
  const r: Record<string, number> = {};
  r.insertOne = await timed('insertOne', OPS, (i) => c.insertOne(makeDoc(size + i)));
  r.findById = await timed('findOne by _id', OPS, (i) => c.findOne({ _id: pick(i)._id }));
  r.findByEmail = await timed('findOne by unique indexed field', OPS, (i) =>
    c.findOne({ email: pick(i).email }),
  );
  r.updateOne = await timed('updateOne by _id ($inc)', OPS, (i) =>
    c.updateOne({ _id: pick(i)._id }, { $inc: { n: 1 } }),
  );
  results.set(size, r);
}

const small = results.get(SIZES[0] as number) ?? {};
const large = results.get(SIZES[1] as number) ?? {};
console.log(
  `\nratio ${SIZES[0]} / ${SIZES[1]} docs (lookups stay within 2x when indexes are used):`,
);
for (const key of ['findById', 'findByEmail', 'updateOne']) {
  const ratio = (small[key] ?? 0) / (large[key] ?? 1);
  console.log(`  ${key.padEnd(12)} ${ratio.toFixed(2)}x ${ratio <= 2 ? 'ok' : 'SLOWER THAN 2x'}`);
}

await db.dropDatabase();
await client.close();
await server?.stop();
