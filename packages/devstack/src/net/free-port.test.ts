import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freePort, freePorts } from './free-port.ts';

describe('freePort', () => {
  it('picks a port below the kernel’s ephemeral range, which outgoing connections never get', async () => {
    const [low] = ephemeralPortRange();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
    }
  });

  it('hands out a port that can be listened on', async () => {
    const port = await freePort();
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  it('gives distinct ports with freePorts', async () => {
    const ports = await freePorts(30);
    expect(new Set(ports).size).toBe(30);
  });
});

describe('ephemeralPortRange', () => {
  it('reads the kernel’s range, and falls back to Linux’s default on nonsense or no file', () => {
    expect(ephemeralPortRange(() => '40000\t50000\n')).toEqual([40_000, 50_000]);
    expect(ephemeralPortRange(() => 'garbage')).toEqual([32_768, 60_999]);
    expect(ephemeralPortRange(() => '50000 40000')).toEqual([32_768, 60_999]);
    expect(
      ephemeralPortRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([32_768, 60_999]);
  });
});
