// Writes a self-signed certificate for local HTTPS: `node scripts/gen-dev-cert.ts [dir]`
// (default certs/, files dev-cert.pem and dev-key.pem). Then set TLS_CERT_FILE and TLS_KEY_FILE.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DevCert {
  certFile: string;
  keyFile: string;
}

/**
 * Generates an ECDSA P-256 self-signed certificate for localhost, 127.0.0.1 and ::1 with the
 * `openssl` CLI (present on Debian/Ubuntu and macOS). For development and tests only.
 */
export function generateDevCert(
  dir: string,
  opts: { days?: number; hosts?: string[] } = {},
): DevCert {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'dev-cert.pem');
  const keyFile = join(dir, 'dev-key.pem');
  const hosts = opts.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(opts.days ?? 365),
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=${san}`,
    ],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    throw new Error(
      `openssl failed (${result.error?.message ?? result.stderr}); install it with ` +
        '`sudo apt-get install -y openssl` or `brew install openssl`',
    );
  }
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'certs');
  const { certFile, keyFile } = generateDevCert(dir);
  process.stdout.write(
    `wrote ${certFile} and ${keyFile}\nset TLS_CERT_FILE=${certFile} TLS_KEY_FILE=${keyFile}\n`,
  );
}
