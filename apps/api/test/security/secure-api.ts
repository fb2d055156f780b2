import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { testConfig } from '@storefront/devstack/test-harness';
import { callRaw, errorCode, type RawResponse } from '@storefront/test-support';
import type { Config, Logger } from '@storefront/shared';
import { generateDevCert } from '../../../../scripts/gen-dev-cert.ts';
import { startApi, type RunningApi } from '../../src/server.ts';

/** A response read whole: status, lower-cased headers and the parsed JSON body (if JSON). */
export type ProbeResponse = RawResponse;

export interface SecureApi {
  api: RunningApi;
  url: string;
  config: Config;
  /** The PEM of the self-signed certificate the API serves (to trust in TLS clients). */
  ca: string;
  call: (
    path: string,
    opts?: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
  ) => Promise<ProbeResponse>;
  close: () => Promise<void>;
}

/**
 * Starts the real API over HTTPS (TLS 1.3, a fresh self-signed certificate in a temp dir) with
 * this run's services, and a client that trusts exactly that certificate.
 */
export async function startSecureApi(
  overrides: Record<string, string | undefined> = {},
  opts: { logger?: Logger } = {},
): Promise<SecureApi> {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-tls-'));
  const { certFile, keyFile } = generateDevCert(dir);
  const config = testConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, ...overrides });
  const api = await startApi(config, opts);
  const ca = readFileSync(certFile, 'utf8');
  const dispatcher = new Agent({ connect: { ca }, keepAliveTimeout: 1_000 });
  const call: SecureApi['call'] = (path, o = {}) =>
    callRaw(`${api.url}${path}`, { ...o, dispatcher });
  return {
    api,
    url: api.url,
    config,
    ca,
    call,
    close: async () => {
      await dispatcher.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { errorCode };
