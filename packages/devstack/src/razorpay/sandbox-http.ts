import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlError, validationError } from './sandbox-errors.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body, refusing more than 1 MiB. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw controlError('request body too large', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON or form-encoded body (Razorpay accepts both; `notes[key]=v` becomes
 * `notes.key`). An empty body is `{}`.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return {};
  if (contentType?.startsWith('application/x-www-form-urlencoded') === true) {
    return parseForm(raw.toString('utf8'));
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw validationError('The request body is not valid JSON');
  }
}

function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const nested = /^(\w+)\[(.+)\]$/.exec(key);
    const coerced = /^-?\d+$/.test(value)
      ? Number(value)
      : value === 'true'
        ? true
        : value === 'false'
          ? false
          : value;
    if (nested?.[1] !== undefined && nested[2] !== undefined) {
      const bag = (out[nested[1]] ??= {}) as Record<string, unknown>;
      bag[nested[2]] = value;
    } else {
      out[key] = coerced;
    }
  }
  return out;
}

/** The key id and secret of an HTTP basic Authorization header, or null. */
export function basicCredentials(
  header: string | undefined,
): { keyId: string; secret: string } | null {
  if (header === undefined || !header.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { keyId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
