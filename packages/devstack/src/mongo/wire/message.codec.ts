import { BSON } from 'bson';
import type { Doc } from '../storage/key-encoding.ts';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;
const HEADER = 16;
/** Largest message accepted (mongod's maxMessageSizeBytes). */
export const MAX_MESSAGE_BYTES = 48_000_000;

const FLAG_CHECKSUM = 1;
const FLAG_MORE_TO_COME = 2;

// Long stays a Long so int64 values round-trip; everything else is promoted to JS values so
// mingo can compare them.
const DESERIALIZE = {
  promoteLongs: false,
  promoteValues: true,
  promoteBuffers: false,
  bsonRegExp: false,
} as const;
const SERIALIZE = { ignoreUndefined: true } as const;

/** A decoded request. */
export interface Request {
  requestId: number;
  opCode: number;
  body: Doc;
  /** OP_MSG moreToCome: the client expects no reply. */
  moreToCome: boolean;
}

/** Thrown for bytes that are not a valid message; the connection is closed. */
export class ProtocolError extends Error {}

function readDoc(buf: Buffer, at: number, end: number): [Doc, number] {
  if (at + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(at);
  if (size < 5 || at + size > end) throw new ProtocolError(`invalid BSON document size ${size}`);
  try {
    return [BSON.deserialize(buf.subarray(at, at + size), DESERIALIZE), at + size];
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readCString(buf: Buffer, at: number, end: number): [string, number] {
  const zero = buf.indexOf(0, at);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated cstring');
  return [buf.toString('utf8', at, zero), zero + 1];
}

function parseMsg(buf: Buffer, requestId: number): Request {
  const flags = buf.readUInt32LE(HEADER);
  const end = buf.length - (flags & FLAG_CHECKSUM ? 4 : 0);
  let pos = HEADER + 4;
  let body: Doc | null = null;
  const sequences: [string, Doc[]][] = [];
  while (pos < end) {
    const kind = buf[pos++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with more than one body section');
      [body, pos] = readDoc(buf, pos, end);
    } else if (kind === 1) {
      if (pos + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = buf.readInt32LE(pos);
      const seqEnd = pos + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence size');
      const [id, start] = readCString(buf, pos + 4, seqEnd);
      let at = start;
      const docs: Doc[] = [];
      while (at < seqEnd) {
        let doc: Doc;
        [doc, at] = readDoc(buf, at, seqEnd);
        docs.push(doc);
      }
      sequences.push([id, docs]);
      pos = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) body[id] = docs;
  return { requestId, opCode: OP_MSG, body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function parseQuery(buf: Buffer, requestId: number): Request {
  const [collection, afterName] = readCString(buf, HEADER + 4, buf.length);
  // numberToSkip and numberToReturn (8 bytes) are irrelevant for commands.
  const [query] = readDoc(buf, afterName + 8, buf.length);
  if (!collection.endsWith('.$cmd'))
    throw new ProtocolError(`legacy OP_QUERY on ${collection} is not supported`);
  const inner =
    query.$query !== undefined && typeof query.$query === 'object' ? (query.$query as Doc) : query;
  const body: Doc = { ...inner, $db: collection.slice(0, -'.$cmd'.length) };
  return { requestId, opCode: OP_QUERY, body, moreToCome: false };
}

/** Decodes one complete message (header included). */
export function decodeMessage(buf: Buffer): Request {
  const requestId = buf.readInt32LE(4);
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) return parseMsg(buf, requestId);
  if (opCode === OP_QUERY) return parseQuery(buf, requestId);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

let nextRequestId = 1;

function header(size: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER);
  h.writeInt32LE(size, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** Encodes an OP_MSG reply with a single body section. */
export function encodeMsg(responseTo: number, doc: Doc): Buffer {
  const bson = BSON.serialize(doc, SERIALIZE);
  const pre = header(HEADER + 5 + bson.length, responseTo, OP_MSG);
  const flags = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([pre, flags, bson]);
}

/** Encodes a legacy OP_REPLY carrying one document. */
export function encodeReply(responseTo: number, doc: Doc): Buffer {
  const bson = BSON.serialize(doc, SERIALIZE);
  const pre = header(HEADER + 20 + bson.length, responseTo, OP_REPLY);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([pre, fields, bson]);
}
