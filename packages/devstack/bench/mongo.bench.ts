// Throughput of the in-memory MongoDB-compatible server through the real driver.
// Run: node packages/devstack/bench/mongo.bench.ts   (or: npm run bench:mongo -w @storefront/devstack)
// The server runs in a child process so its CPU time per operation is measured on its own.
// Set MONGO_URL to run the same client workload against another server (no server CPU column).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MongoClient, ObjectId, type Collection } from 'mongodb';
import { startMongoServer } from '../src/mongo/index.ts';

interface UserDoc {
  _id: ObjectId;
  email: string;
  n: number;
  name: string;
  createdAt: Date;
}

type CpuUsage = { user: number; system: number };

const SIZES = [1_000, 100_000];
const OPS = 5_000;
const CONCURRENCY = 16;

if (process.argv[2] === '--server') {
  const server = await startMongoServer();
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send?.(process.cpuUsage());
    if (msg === 'stop') void server.stop().then(() => process.exit(0));
  });
  process.send?.(server.url);
} else {
  await main();
}

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

async function main(): Promise<void> {
  let child: ChildProcess | null = null;
  let url = process.env.MONGO_URL ?? '';
  if (!url) {
    child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: 'inherit' });
    url = await new Promise<string>((resolve) =>
      child?.once('message', (m) => resolve(typeof m === 'string' ? m : JSON.stringify(m))),
    );
  }
  const serverCpu = async (): Promise<number> => {
    if (!child) return 0;
    const u = await ask<CpuUsage>(child, 'cpu');
    return u.user + u.system;
  };

  async function timed(
    label: string,
    ops: number,
    fn: (i: number) => Promise<unknown>,
  ): Promise<number> {
    let next = 0;
    const server0 = await serverCpu();
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ops) await fn(next++);
      }),
    );
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const serverPerOp = ((await serverCpu()) - server0) / ops;
    const rate = ops / secs;
    if (label) {
      const cpu = child ? `${Math.round(serverPerOp).toString().padStart(6)} µs server CPU/op` : '';
      console.log(`  ${label.padEnd(34)} ${Math.round(rate).toString().padStart(8)} ops/s ${cpu}`);
    }
    return rate;
  }

  const makeDoc = (i: number): UserDoc => ({
    _id: new ObjectId(),
    email: `user${i}@example.com`,
    n: i,
    name: `User ${i}`,
    createdAt: new Date(),
  });

  async function fill(c: Collection<UserDoc>, size: number): Promise<UserDoc[]> {
    const docs = Array.from({ length: size }, (_, i) => makeDoc(i));
    for (let i = 0; i < docs.length; i += 1000) {
      await c.insertMany(docs.slice(i, i + 1000), { ordered: false });
    }
    return docs;
  }

  const client = new MongoClient(url, { maxPoolSize: CONCURRENCY });
  await client.connect();
  const db = client.db(`bench_${Date.now()}`);
  console.log(
    `server: ${child ? 'in-memory (startMongoServer, child process)' : url}; ${OPS} ops per row, ${CONCURRENCY} in flight`,
  );

  // Warm up the JIT on both sides so the first measured row is not penalised.
  const w = db.collection<UserDoc>('warmup');
  await w.createIndex({ email: 1 }, { unique: true });
  const wdocs = await fill(w, 2000);
  const wpick = (i: number) => wdocs[i % wdocs.length] as UserDoc;
  await timed('', 3000, (i) => w.insertOne(makeDoc(10_000 + i)));
  await timed('', 3000, (i) => w.findOne({ _id: wpick(i)._id }));
  await timed('', 3000, (i) => w.findOne({ email: wpick(i).email }));
  await timed('', 3000, (i) => w.updateOne({ _id: wpick(i)._id }, { $inc: { n: 1 } }));

  const results = new Map<number, Record<string, number>>();
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
    `\nops/s at ${SIZES[0]} / ops/s at ${SIZES[1]} documents (indexed lookups must stay within 2x):`,
  );
  for (const key of ['findById', 'findByEmail', 'updateOne']) {
    const ratio = (small[key] ?? 0) / (large[key] ?? 1);
    console.log(`  ${key.padEnd(12)} ${ratio.toFixed(2)}x ${ratio <= 2 ? 'ok' : 'SLOWER THAN 2x'}`);
  }

  await db.dropDatabase();
  await client.close();
  if (child) {
    const exited = once(child, 'exit');
    child.send('stop');
    await exited;
  }
}
