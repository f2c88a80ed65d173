/** The media types a media set can hold, and their families. Pure. */

/** Types whose bytes this connector can check and describe. */
export const SUPPORTED_MEDIA_TYPES = [
  'image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'image/gif', 'image/avif',
  'application/pdf',
  'audio/wav', 'audio/mpeg', 'audio/flac', 'audio/ogg', 'audio/mp4', 'audio/aac',
  'video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska',
] as const;

/** Other names of the same types, mapped to the names above (what file-type reports may differ from what users write). */
const ALIASES: Record<string, string> = {
  'audio/x-wav': 'audio/wav', 'audio/wave': 'audio/wav', 'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg', 'audio/x-flac': 'audio/flac', 'image/jpg': 'image/jpeg',
  'audio/x-m4a': 'audio/mp4', 'audio/m4a': 'audio/mp4',
};

/** The canonical name of a media type. */
export function canonicalType(mime: string): string {
  const lower = mime.toLowerCase();
  return ALIASES[lower] ?? lower;
}

/** Which reader describes a type. */
export type MediaFamily = 'image' | 'pdf' | 'audio' | 'video';

/** The family of a canonical type, or undefined when it is not supported. */
export function familyOf(mime: string): MediaFamily | undefined {
  if (!(SUPPORTED_MEDIA_TYPES as readonly string[]).includes(mime)) return undefined;
  if (mime === 'application/pdf') return 'pdf';
  return mime.slice(0, mime.indexOf('/')) as MediaFamily;
}
