// Metrics scrape benchmark: `npm run bench:metrics-scrape` (prints figures; not a test).
//
// How long one scrape of a process's metrics blocks its event loop while many client connections
// are open, as in a drop: the registry as the API and the worker build it (`createMetricsRegistry`)
// against one with every prom-client default metric, which also lists each open file descriptor
// (`process_open_fds`) and each handle (`nodejs_active_handles`, `nodejs_active_resources`) on
// every scrape. The connections' server ends are in this process, as in the API; their client
// ends in a child process. `registry.metrics()` runs synchronously up to its last await, so its
// time is the event loop's stall.
//
// Options (env): BENCH_CONNECTIONS (comma-separated sizes, default 0,2500,5000,10000; the open-files
// limit must allow them), BENCH_SCRAPES (30 per size and registry).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { createMetricsRegistry, promClient } from '@storefront/shared';

const SIZES = (process.env.BENCH_CONNECTIONS ?? '0,2500,5000,10000').split(',').map(Number);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 30);

// The client: opens connections on request and prints how many are connected in all.
const CLIENT = `
const net = require('node:net');
const port = Number(process.argv[1]);
const sockets = [];
let connected = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line) => {
  const want = Number(line.trim());
  for (let i = 0; i < want; i++) {
    const s = net.connect(port, '127.0.0.1', () => {
      if (++connected === sockets.length) process.stdout.write(connected + '\\n');
    });
    s.on('error', (err) => { process.stderr.write(String(err) + '\\n'); process.exit(1); });
    sockets.push(s);
  }
});
process.stdout.write('ready\\n');
`;

function allDefaults(): promClient.Registry {
  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry });
  return registry;
}

async function timeScrapes(registry: promClient.Registry): Promise<{ p50: number; max: number }> {
  await registry.metrics(); // first scrape: the collectors' lazy set-up
  const ms: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const start = performance.now();
    await registry.metrics();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)] ?? 0, max: ms.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => accepted.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = spawn(process.execPath, ['-e', CLIENT, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  client.stdout.setEncoding('utf8');
  const lines: string[] = [];
  client.stdout.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await once(client.stdout, 'data');
    return lines.shift() ?? '';
  };
  try {
    if ((await nextLine()) !== 'ready') throw new Error('the client did not start');
    const shipped = createMetricsRegistry({ service: 'bench' });
    const before = allDefaults();
    console.log(`metrics scrape: ${SCRAPES} scrapes per size and registry, ms of event loop each`);
    console.log('open connections | as shipped p50 / max | all prom-client defaults p50 / max');
    for (const size of SIZES) {
      if (size < accepted.length) throw new Error('BENCH_CONNECTIONS must grow');
      // A few hundred at a time: past the listen backlog, connections the client counts as open
      // would wait for the server's retransmissions instead of being accepted.
      while (accepted.length < size) {
        const target = Math.min(size, accepted.length + 250);
        client.stdin.write(`${target - accepted.length}\n`);
        await nextLine();
        while (accepted.length < target) await once(server, 'connection');
      }
      const a = await timeScrapes(shipped);
      const b = await timeScrapes(before);
      console.log(
        `${String(size).padStart(16)} | ${a.p50.toFixed(2)} / ${a.max.toFixed(2)} | ${b.p50.toFixed(2)} / ${b.max.toFixed(2)}`,
      );
    }
  } finally {
    client.kill();
    for (const s of accepted) s.destroy();
    server.close();
  }
}

await main();
