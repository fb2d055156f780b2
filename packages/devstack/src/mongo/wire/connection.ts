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
  // Received bytes not yet framed; joined only once a whole message is there.
  private chunks: Buffer[] = [];
  private buffered = 0;
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
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      let head = this.chunks[0] as Buffer;
      if (head.length < 4) head = this.flatten();
      const size = head.readInt32LE(0);
      if (size < 16 || size > MAX_MESSAGE_BYTES) {
        this.fail(new ProtocolError(`invalid message length ${size}`));
        return;
      }
      if (this.buffered < size) break;
      if (head.length < size) head = this.flatten();
      this.queue.push(head.subarray(0, size));
      if (head.length === size) this.chunks.shift();
      else this.chunks[0] = head.subarray(size);
      this.buffered -= size;
    }
    this.drain();
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
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
