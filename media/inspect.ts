/**
 * Inspection of a whole file (a blob just copied into the dataset store) and of an S3 object
 * read by ranges (preview). Both decide the type from the bytes; the first also proves the
 * bytes sound and rejects what a media set must not hold.
 */
import { readFile } from 'node:fs/promises';
import { openFileSource, type ByteSource } from './byte-source';
import { DamagedMediaError, describeAudioVideo, describeImage, describePdf, detectType } from './describe';
import { canonicalType, familyOf } from './types';

/** A PDF larger than this is imported without a page count (pdf-lib parses whole documents in memory). */
export const PDF_MAX_PARSE_BYTES = 256 * 1024 * 1024;

/** What a media set makes of an object: an item with its type and metadata, or a rejection. */
export type Inspection =
  | { ok: true; mediaType: string; metadata: Record<string, unknown>; bytesRead: number }
  | { ok: false; reason: string; mediaType?: string; bytesRead: number };

/**
 * Inspects the local file `path` against the allowed types: an empty, unrecognised, disallowed
 * or damaged file is rejected with the reason. Images are fully decoded (that is the soundness
 * check); audio and video are parsed by ranges (headers only); PDFs are parsed whole.
 */
export async function inspectFile(path: string, allowed: readonly string[]): Promise<Inspection> {
  const source = await openFileSource(path);
  try {
    if (source.size === 0) return { ok: false, reason: 'empty file (0 bytes)', bytesRead: 0 };
    const mediaType = await detectType(source);
    if (!mediaType) return { ok: false, reason: 'type not recognised from the bytes', bytesRead: source.bytesRead };
    const allow = new Set(allowed.map(canonicalType));
    if (!allow.has(mediaType)) {
      return { ok: false, mediaType, reason: `type ${mediaType} is not in mediaTypes (${[...allow].join(', ')})`, bytesRead: source.bytesRead };
    }
    try {
      const metadata = await describe(mediaType, source, path);
      return { ok: true, mediaType, metadata, bytesRead: source.bytesRead };
    } catch (err) {
      if (!(err instanceof DamagedMediaError)) throw err;
      return { ok: false, mediaType, reason: `damaged ${mediaType}: ${err.message}`, bytesRead: source.bytesRead };
    }
  } finally {
    await source.close();
  }
}

async function describe(mediaType: string, source: ByteSource & { size: number }, path: string): Promise<Record<string, unknown>> {
  switch (familyOf(mediaType)) {
    case 'image': return describeImage(path, true);
    case 'pdf': return source.size > PDF_MAX_PARSE_BYTES ? { pagesNotCounted: `larger than ${PDF_MAX_PARSE_BYTES} bytes` } : describePdf(await readFile(path));
    case 'audio':
    case 'video': return describeAudioVideo(source, mediaType);
    default: return {};
  }
}

/** How much of an image's head preview reads first; most headers and EXIF blocks fit. */
const IMAGE_HEAD_BYTES = 1024 * 1024;
/** Preview reads an image or PDF whole only up to this size. */
const PREVIEW_WHOLE_BYTES = 32 * 1024 * 1024;

/** What preview shows of a media object. */
export interface MediaPreview {
  mediaType?: string;
  metadata?: Record<string, unknown>;
  /** Why no metadata could be read (damaged bytes, or too large to read whole for a preview). */
  problem?: string;
}

/**
 * Detects the type of `source` and reads its metadata with bounded reads: audio and video by
 * ranges over their headers, images from their first MiB (whole only when that is not enough
 * and they are at most 32 MiB), PDFs whole up to 32 MiB.
 */
export async function previewMedia(source: ByteSource): Promise<MediaPreview> {
  const mediaType = await detectType(source);
  if (!mediaType) return {};
  const family = familyOf(mediaType);
  const whole = async () => Buffer.from(await source.read(0, source.size));
  try {
    if (family === 'image') {
      const head = Buffer.from(await source.read(0, Math.min(source.size, IMAGE_HEAD_BYTES)));
      try {
        return { mediaType, metadata: await describeImage(head, false) };
      } catch (err) {
        if (head.length === source.size || source.size > PREVIEW_WHOLE_BYTES) throw err;
        return { mediaType, metadata: await describeImage(await whole(), false) };
      }
    }
    if (family === 'pdf') {
      if (source.size > PREVIEW_WHOLE_BYTES) return { mediaType, problem: `a PDF larger than ${PREVIEW_WHOLE_BYTES} bytes is not read for a preview` };
      return { mediaType, metadata: await describePdf(await whole()) };
    }
    if (family === 'audio' || family === 'video') return { mediaType, metadata: await describeAudioVideo(source, mediaType) };
    return { mediaType };
  } catch (err) {
    if (!(err instanceof DamagedMediaError)) throw err;
    return { mediaType, problem: `damaged: ${err.message}` };
  }
}
