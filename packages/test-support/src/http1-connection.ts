import net from 'node:net';

// One virtual user's (or webhook sender's) keep-alive HTTP/1.1 connection, as lean as a load
// generator can be: a GET is one latin1 write; a response is framed by its Content-Length, read
// straight from the received bytes; response timeouts are checked by the caller's once-a-second
// sweep, not a timer per request. The load runners and the webhook bench share a 2-core machine
// with the server under test, and every microsecond they spend is taken from the server: undici
// (the load runner's first client) cost ~0.21 ms of CPU per request, http-parser-js ~0.15 ms,
// this ~0.1 ms (docs/load-testing.md).
//
// It speaks just enough HTTP/1.1 for the scenario: one request at a time (no pipelining),
// responses framed by Content-Length. A chunked or unframed response, or bytes nobody asked
// for, fail the request as malformed (the server sends Content-Length on every response the
// scenario can get: 200, 404, 429, 5xx).

const STATUS_PREFIX = Buffer.from('HTTP/1.');
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = [Buffer.from('\r\ncontent-length:'), Buffer.from('\r\nContent-Length:')];
const TRANSFER_ENCODING = [
  Buffer.from('\r\ntransfer-encoding:'),
  Buffer.from('\r\nTransfer-Encoding:'),
];
const MAX_HEADER_BYTES = 64 * 1024;

/** Where `needles[i]` first occurs in buf[0, end), or -1. */
function findAny(buf: Buffer, needles: readonly Buffer[], end: number): number {
  for (const n of needles) {
    const at = buf.indexOf(n);
    if (at !== -1 && at < end) return at + n.length;
  }
  return -1;
}

/** The status code and body length of a complete header block, or an error message. */
function parseHead(buf: Buffer, headerEnd: number): { status: number; length: number } | string {
  // "HTTP/1.1 200 ..."
  if (buf.compare(STATUS_PREFIX, 0, 7, 0, 7) !== 0 || buf[8] !== 0x20) return 'bad status line';
  const status = (buf[9]! - 48) * 100 + (buf[10]! - 48) * 10 + (buf[11]! - 48);
  if (!(status >= 100 && status <= 599)) return 'bad status code';
  if (findAny(buf, TRANSFER_ENCODING, headerEnd) !== -1) return 'chunked responses unsupported';
  let at = findAny(buf, CONTENT_LENGTH, headerEnd);
  if (at === -1) return 'no Content-Length';
  while (buf[at] === 0x20 || buf[at] === 0x09) at++;
  let length = 0;
  let digits = 0;
  for (; buf[at]! >= 48 && buf[at]! <= 57; at++, digits++) length = length * 10 + buf[at]! - 48;
  if (digits === 0 || digits > 9) return 'bad Content-Length';
  return { status, length };
}

export interface Reply {
  status: number;
  body: Buffer;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  /** `Host` and the VU's fixed headers, as `Name: value` lines each ending in CRLF. */
  headerLines: string;
  connectTimeoutMs: number;
  /** Longest silence while a request is outstanding (headers or body). */
  responseTimeoutMs: number;
  onOpen: () => void;
  onClose: () => void;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

/**
 * A keep-alive connection that (re)connects on demand: a request made while it is closed opens
 * it first; a server that closes an idle connection (keep-alive timeout, drain) costs the next
 * request a reconnect, as in a browser. One request at a time, no pipelining.
 */
export class Http1Connection {
  private readonly opts: ConnectionOptions;
  private socket: net.Socket | undefined;
  private connected = false;
  private pending: Pending | undefined;
  private queued: string | undefined;
  private encoding: 'latin1' | 'utf8' = 'latin1';
  /** When the request in flight was written (performance.now()), for the timeout sweep. */
  private since = 0;
  /** Bytes of the response so far, while it is incomplete. */
  private partial: Buffer | undefined;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
  }

  /** GET `path`; rejects on a connection error, a timeout or a malformed response. */
  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /**
   * One request: `headerLines` are added to the VU's own (each `Name: value` ending in CRLF), a
   * `body` is sent as UTF-8 with its Content-Length. Rejects like `get`.
   */
  request(
    method: string,
    path: string,
    extra: { headerLines?: string; body?: string } = {},
  ): Promise<Reply> {
    if (this.pending !== undefined) return Promise.reject(new Error('request already in flight'));
    const head = `${method} ${path} HTTP/1.1\r\n${this.opts.headerLines}${extra.headerLines ?? ''}`;
    const request =
      extra.body === undefined
        ? `${head}\r\n`
        : `${head}Content-Length: ${Buffer.byteLength(extra.body)}\r\n\r\n${extra.body}`;
    this.encoding = extra.body === undefined ? 'latin1' : 'utf8';
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.partial = undefined;
      this.since = performance.now();
      if (this.socket === undefined) {
        this.queued = request;
        this.open();
      } else if (this.connected) {
        this.write(request);
      } else {
        this.queued = request;
      }
    });
  }

  /** Header lines are ASCII (the same bytes either way); a body may not be, so it goes as UTF-8. */
  private write(request: string): void {
    (this.socket as net.Socket).write(request, this.encoding);
  }

  /**
   * Fails the request in flight if it has waited longer than the connect or response timeout
   * (the runner calls this about once a second for every connection).
   */
  checkTimeout(now: number): void {
    if (this.pending === undefined || this.socket === undefined) return;
    const limit = this.connected ? this.opts.responseTimeoutMs : this.opts.connectTimeoutMs;
    if (now - this.since > limit) {
      this.socket.destroy(new Error(this.connected ? 'response timeout' : 'connect timeout'));
    }
  }

  /** Closes the connection; a request in flight fails. */
  close(): void {
    this.socket?.destroy();
  }

  private open(): void {
    const socket = net.connect({ host: this.opts.host, port: this.opts.port, noDelay: true });
    this.socket = socket;
    socket.once('connect', () => {
      this.connected = true;
      this.since = performance.now();
      this.opts.onOpen();
      const request = this.queued;
      this.queued = undefined;
      if (request !== undefined) this.write(request);
    });
    socket.on('data', (data: Buffer) => {
      const error = this.received(data);
      if (error !== undefined) socket.destroy(new Error(`malformed response: ${error}`));
    });
    socket.on('error', () => undefined); // reported through 'close' to the pending request
    socket.once('close', () => {
      if (this.connected) this.opts.onClose();
      this.connected = false;
      this.socket = undefined;
      this.queued = undefined;
      this.partial = undefined;
      const p = this.pending;
      this.pending = undefined;
      const err = socket.errored ?? new Error('connection closed by the server');
      p?.reject(err instanceof Error ? err : new Error(String(err)));
    });
  }

  /** Takes received bytes; completes the request when its response is whole. */
  private received(data: Buffer): string | undefined {
    if (this.pending === undefined) return 'data without a request';
    const buf = this.partial === undefined ? data : Buffer.concat([this.partial, data]);
    const headerEnd = buf.indexOf(HEADER_END);
    if (headerEnd === -1) {
      if (buf.length > MAX_HEADER_BYTES) return 'header block too large';
      this.partial = buf;
      return undefined;
    }
    const head = parseHead(buf, headerEnd);
    if (typeof head === 'string') return head;
    const bodyStart = headerEnd + HEADER_END.length;
    const end = bodyStart + head.length;
    if (buf.length < end) {
      this.partial = buf;
      return undefined;
    }
    if (buf.length > end) return 'more bytes than Content-Length';
    const p = this.pending;
    this.pending = undefined;
    this.partial = undefined;
    p.resolve({ status: head.status, body: buf.subarray(bodyStart, end) });
    return undefined;
  }
}
