/**
 * What a media item is: its type detected from its bytes (never from its name), whether the
 * bytes are sound, and its metadata. Every format is read by a library:
 *   detection   file-type
 *   images      sharp (libvips: dimensions, format, EXIF orientation; a full decode proves the
 *               bytes are whole) and exifr (EXIF capture time)
 *   PDF         pdf-lib (page count)
 *   audio/video music-metadata (duration, codecs, sample rate, frame dimensions)
 * Audio and video are parsed through a random-access tokenizer: headers are read, media data is
 * seeked over, so a large video costs a few chunks, not its size. The libraries are loaded on
 * first use (see libraries.ts).
 */
import type { IAudioMetadata } from 'music-metadata';
import { chunked, type ByteSource } from './byte-source';
import { exifr, fileTypeParser, musicMetadata, pdfDocument, sharp } from './libraries';
import { SourceTokenizer } from './tokenizer';
import { canonicalType, familyOf } from './types';

/** The bytes cannot be what their type says (truncated, corrupt, empty of content). */
export class DamagedMediaError extends Error {}

/** The type of `source` from its leading bytes, canonical, or undefined when unrecognised. */
export async function detectType(source: ByteSource): Promise<string | undefined> {
  if (source.size === 0) return undefined;
  const FileTypeParser = await fileTypeParser();
  const found = await new FileTypeParser().fromTokenizer(new SourceTokenizer(chunked(source, 16 * 1024, 4)));
  return found ? canonicalType(found.mime) : undefined;
}

/** Image input: a local file path, or the bytes (whole, or a head that holds the headers). */
export type ImageInput = string | Buffer;

/** `YYYY:MM:DD HH:MM:SS` (EXIF) as `YYYY-MM-DDTHH:MM:SS`, plus the EXIF offset when there is one. */
function exifTime(value: unknown, offset: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return undefined;
  const zone = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
}

/**
 * Image metadata: width and height as stored, format, and when present EXIF orientation (1-8;
 * 5-8 mean the image displays rotated by 90°) and capture time (DateTimeOriginal, local time as
 * the camera wrote it, with OffsetTimeOriginal when present). With `verify`, every pixel is
 * decoded and any libvips warning (a truncated or corrupt stream) makes the bytes damaged.
 */
export async function describeImage(input: ImageInput, verify: boolean): Promise<Record<string, unknown>> {
  const [decode, exif] = await Promise.all([sharp(), exifr()]);
  let info;
  try {
    info = await decode(input, { failOn: 'warning' }).metadata();
    // Decoding all pixels is what proves the bytes whole; a small resize keeps memory low.
    if (verify) await decode(input, { failOn: 'warning' }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw new DamagedMediaError(`the image cannot be decoded (${(err as Error).message.split('\n')[0]})`);
  }
  if (!info.width || !info.height) throw new DamagedMediaError('the image has no dimensions');
  const tags = await exif.parse(input, { pick: ['DateTimeOriginal', 'OffsetTimeOriginal'], reviveValues: false })
    .catch(() => undefined) as Record<string, unknown> | undefined;
  const capturedAt = exifTime(tags?.DateTimeOriginal, tags?.OffsetTimeOriginal);
  return {
    width: info.width, height: info.height, format: info.format,
    ...(info.orientation !== undefined ? { orientation: info.orientation } : {}),
    ...(capturedAt ? { capturedAt } : {}),
    ...(info.pages !== undefined && info.pages > 1 ? { pages: info.pages } : {}),
  };
}

/** PDF metadata: the page count. @throws DamagedMediaError when the document cannot be parsed. */
export async function describePdf(bytes: Uint8Array): Promise<Record<string, unknown>> {
  const PDFDocument = await pdfDocument();
  let pages;
  try {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
    pages = doc.getPageCount();
  } catch (err) {
    throw new DamagedMediaError(`the PDF cannot be parsed (${(err as Error).message.split('\n')[0]})`);
  }
  if (pages < 1) throw new DamagedMediaError('the PDF has no pages');
  return { pages };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Audio and video metadata through ranged reads: duration (seconds), container, codec; audio:
 * sample rate, channels, bitrate; video: the video codec and frame width and height (plus the
 * audio codec and sample rate when there is an audio track).
 */
export async function describeAudioVideo(source: ByteSource, mediaType: string): Promise<Record<string, unknown>> {
  const parseFromTokenizer = await musicMetadata();
  let parsed: IAudioMetadata;
  try {
    parsed = await parseFromTokenizer(new SourceTokenizer(chunked(source), mediaType), { duration: false, skipCovers: true });
  } catch (err) {
    throw new DamagedMediaError(`the ${familyOf(mediaType)} cannot be parsed (${(err as Error).message.split('\n')[0]})`);
  }
  const f = parsed.format;
  const video = f.trackInfo.find((t) => t.video);
  const audio = f.trackInfo.find((t) => t.audio);
  const out: Record<string, unknown> = {};
  // A video-only MP4 has its duration on the track only.
  const duration = f.duration ?? Math.max(0, ...f.trackInfo.map((t) => t.duration ?? 0));
  if (Number.isFinite(duration) && duration > 0) out.durationSeconds = round3(duration);
  if (f.container) out.container = f.container;
  if (familyOf(mediaType) === 'video') {
    if (!video?.video?.pixelWidth) throw new DamagedMediaError('no video track with frame dimensions was found');
    // music-metadata names codecs it does not decode as `<fourcc>`: report the fourcc (avc1, hvc1...).
    out.codec = video.codecName && !video.codecName.startsWith('<') ? video.codecName : video.codecId ?? video.codecName;
    out.width = video.video.pixelWidth;
    out.height = video.video.pixelHeight;
    if (audio) {
      out.audioCodec = audio.codecName;
      if (audio.audio?.samplingFrequency) out.sampleRate = audio.audio.samplingFrequency;
    }
  } else {
    if (!f.codec && !f.sampleRate) throw new DamagedMediaError('no audio stream was found');
    if (f.codec) out.codec = f.codec;
    if (f.sampleRate) out.sampleRate = f.sampleRate;
    if (f.numberOfChannels) out.channels = f.numberOfChannels;
    if (f.bitrate) out.bitrate = Math.round(f.bitrate);
  }
  if (out.durationSeconds === undefined) throw new DamagedMediaError('the duration cannot be read');
  return out;
}
