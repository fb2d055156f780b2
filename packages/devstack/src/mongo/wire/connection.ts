import type { Socket } from 'node:net';
import { CLOSE_CONNECTION, dispatch, type DispatchResult } from '../dispatch.ts';
import type { ConnectionInfo, ServerState } from '../server-state.ts';
import {
  decodeMessage,
  encodeMsg,
  encodeReply,
  MAX_MESSAGE_BYTES,
  OP_QUERY,
  ProtocolError,
  type Request,
} from './message.codec.ts';

/**
 * One client connection: frames messages from the byte stream and answers them in order.
 * A malformed message closes this connection only.
 */
export class Connection implements ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  appName: string | undefined;
  private readonly socket: Socket;
  private readonly state: ServerState;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly queue: Buffer[] = [];
  private busy = false;
  private closed = false;

  constructor(id: number, socket: Socket, state: ServerState) {
    this.id = id;
    this.socket = socket;
    this.state = state;
    this.remote = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => state.log(`mongo: connection ${id} error: ${err.message}`));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32LE(0);
      if (size < 16 || size > MAX_MESSAGE_BYTES) {
        this.fail(new ProtocolError(`invalid message length ${size}`));
        return;
      }
      if (this.buffer.length < size) break;
      this.queue.push(this.buffer.subarray(0, size));
      this.buffer = this.buffer.subarray(size);
    }
    this.drain();
  }

  private drain(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      const raw = this.queue.shift() as Buffer;
      let req: Request;
      try {
        req = decodeMessage(raw);
      } catch (err) {
        this.fail(err);
        return;
      }
      const result = dispatch(this.state, this, req.body);
      if (result instanceof Promise) {
        this.busy = true;
        void result.then((r) => {
          this.busy = false;
          this.respond(req, r);
          this.drain();
        });
        return;
      }
      this.respond(req, result);
    }
  }

  private respond(req: Request, result: DispatchResult): void {
    if (this.closed) return;
    if (result === CLOSE_CONNECTION) {
      this.close();
      return;
    }
    if (req.moreToCome) return;
    const encode = req.opCode === OP_QUERY ? encodeReply : encodeMsg;
    let bytes: Buffer;
    try {
      bytes = encode(req.requestId, result);
    } catch (err) {
      // A reply that cannot be encoded (e.g. over 16 MB) becomes an error reply, as on mongod.
      const message = err instanceof Error ? err.message : String(err);
      this.state.log(`mongo: connection ${this.id} could not encode a reply: ${message}`);
      bytes = encode(req.requestId, {
        ok: 0,
        errmsg: message,
        code: 10334,
        codeName: 'BSONObjectTooLarge',
      });
    }
    this.socket.write(bytes);
  }

  private fail(err: unknown): void {
    this.state.log(
      `mongo: connection ${this.id} closed after a malformed message: ${err instanceof Error ? err.message : String(err)}`,
    );
    this.close();
  }

  /** Closes the socket immediately. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }
}
