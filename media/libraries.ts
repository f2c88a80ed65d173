/**
 * The media libraries, each loaded on first use. Together they add tens of MiB to a process
 * (sharp maps libvips, pdf-lib and file-type build large tables at load), which a worker that
 * only copies or exports plain files never needs, against its memory target. Each loader caches
 * its promise, so a library is loaded once.
 */
import type { FileTypeParser } from 'file-type/core';
import type { parseFromTokenizer } from 'music-metadata';
import type { PDFDocument } from 'pdf-lib';
import type sharpFn from 'sharp';
import type exifrLib from 'exifr';

/** Caches the promise of `load()`: the first call loads, later calls share it. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load().catch((err: unknown) => {
    loaded = undefined; // a failed load (e.g. a missing native binary) is tried again next time
    throw err;
  }));
}

/** file-type's parser class (type detection from leading bytes). */
export const fileTypeParser: () => Promise<typeof FileTypeParser> = once(async () => (await import('file-type/core')).FileTypeParser);

/** file-type's detection from a buffer. */
export const fileTypeFromBuffer: () => Promise<typeof import('file-type/core').fileTypeFromBuffer> =
  once(async () => (await import('file-type/core')).fileTypeFromBuffer);

/** music-metadata's parser over a tokenizer (audio and video headers). */
export const musicMetadata: () => Promise<typeof parseFromTokenizer> = once(async () => (await import('music-metadata')).parseFromTokenizer);

/** pdf-lib's document class (page counts). */
export const pdfDocument: () => Promise<typeof PDFDocument> = once(async () => (await import('pdf-lib')).PDFDocument);

/** sharp (libvips: image metadata and decoding). */
export const sharp: () => Promise<typeof sharpFn> = once(async () => (await import('sharp')).default);

/** exifr (EXIF capture time). */
export const exifr: () => Promise<typeof exifrLib> = once(async () => (await import('exifr')).default);
