import { deflateRawSync } from 'node:zlib';

// Minimal files whose first bytes are what real files of each type start with; the tail is
// filler so sizes are realistic. Built in code so the repository carries no binaries.

function pad(head: Buffer, size: number): Buffer {
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x20)]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A PDF. */
export const pdf = (size = 8_000) =>
  pad(
    Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'),
    size,
  );

/** A PNG: signature and an IHDR chunk. */
export const png = (size = 6_000) =>
  pad(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      u32(13),
      Buffer.from('IHDR'),
      u32(1),
      u32(1),
      Buffer.from([8, 6, 0, 0, 0]),
      u32(0),
    ]),
    size,
  );

/** A JPEG: SOI and a JFIF APP0 segment. */
export const jpeg = (size = 6_000) =>
  pad(
    Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00,
      0x01, 0x00, 0x01, 0x00, 0x00,
    ]),
    size,
  );

/** An MP4: an `ftyp` box with the isom brand. */
export const mp4 = (size = 6_000) =>
  pad(Buffer.concat([u32(24), Buffer.from('ftypisom'), u32(512), Buffer.from('isomiso2')]), size);

/** An MP3: an MPEG-1 Layer III frame header, repeated. */
export const mp3 = (size = 6_000) => {
  const frame = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);
  return Buffer.concat(
    Array.from({ length: Math.ceil(size / frame.length) }, () => frame),
  ).subarray(0, size);
};

function zipEntry(name: string, data: Buffer, store: boolean): Buffer {
  const body = store ? data : deflateRawSync(data);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt16LE(store ? 0 : 8, 8);
  header.writeUInt32LE(0, 14); // CRC not checked by type detection
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([header, Buffer.from(name), body]);
}

/** A ZIP archive with one text entry. */
export const zip = (size = 6_000) =>
  pad(zipEntry('readme.txt', Buffer.from('hello from a zip file'), false), size);

/** An EPUB: a ZIP whose first, stored entry is `mimetype`. */
export const epub = (size = 6_000) =>
  pad(
    Buffer.concat([
      zipEntry('mimetype', Buffer.from('application/epub+zip'), true),
      zipEntry('META-INF/container.xml', Buffer.from('<container/>'), false),
    ]),
    size,
  );

/** An HTML page (never allowed, whatever it is called). */
export const html = (size = 2_000) =>
  pad(Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'), size);

/** A Windows executable (MZ header). */
export const exe = (size = 2_000) => pad(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), size);
