/** A file type creators may upload: what `file-type` detects, what browsers declare, the extensions. */
interface AllowedType {
  /** The MIME type `file-type` reports for the content; also what we store and serve. */
  mime: string;
  /** Content-Type values clients send for it (the canonical one included). */
  declared: readonly string[];
  /** File name extensions it may carry, lower case, without the dot. */
  extensions: readonly string[];
}

// Formats of digital products: documents, archives, images, audio, video. Anything executable
// or script-bearing (HTML, SVG, JS, Office macros) is out, whatever it is called.
const ALLOWED: readonly AllowedType[] = [
  { mime: 'application/pdf', declared: ['application/pdf'], extensions: ['pdf'] },
  {
    mime: 'application/zip',
    declared: ['application/zip', 'application/x-zip-compressed', 'application/x-zip'],
    extensions: ['zip'],
  },
  { mime: 'application/epub+zip', declared: ['application/epub+zip'], extensions: ['epub'] },
  { mime: 'image/png', declared: ['image/png'], extensions: ['png'] },
  {
    mime: 'image/jpeg',
    declared: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
    extensions: ['jpg', 'jpeg'],
  },
  { mime: 'image/gif', declared: ['image/gif'], extensions: ['gif'] },
  { mime: 'image/webp', declared: ['image/webp'], extensions: ['webp'] },
  { mime: 'video/mp4', declared: ['video/mp4'], extensions: ['mp4', 'm4v'] },
  { mime: 'audio/mpeg', declared: ['audio/mpeg', 'audio/mp3', 'audio/mpeg3'], extensions: ['mp3'] },
  { mime: 'audio/x-m4a', declared: ['audio/x-m4a', 'audio/m4a', 'audio/mp4'], extensions: ['m4a'] },
  { mime: 'audio/wav', declared: ['audio/wav', 'audio/x-wav', 'audio/wave'], extensions: ['wav'] },
];

const BY_DECLARED = new Map<string, AllowedType>(
  ALLOWED.flatMap((t) => t.declared.map((d) => [d, t] as const)),
);

/** The canonical MIME types accepted for upload. */
export const ALLOWED_UPLOAD_TYPES: readonly string[] = ALLOWED.map((t) => t.mime);

/** The allowed type a Content-Type header names (parameters and case ignored), if any. */
export function allowedTypeForDeclared(contentType: string | undefined): AllowedType | undefined {
  if (!contentType) return undefined;
  const bare = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return BY_DECLARED.get(bare);
}

/** True when `fileName`'s extension is one `type` may carry. */
export function extensionMatches(type: AllowedType, fileName: string): boolean {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return false;
  return type.extensions.includes(fileName.slice(dot + 1).toLowerCase());
}

export type { AllowedType };
