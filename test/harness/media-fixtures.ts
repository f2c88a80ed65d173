/**
 * Real media for the media-set tests, made by the reference tools from Debian packages
 * (scripts/install-test-tools.sh installs them): ImageMagick, exiftool, Ghostscript, sox, ffmpeg.
 * Nothing here is hand-assembled bytes except the deliberately broken files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** ImageMagick's own convert (another `convert` may come first on PATH). */
const CONVERT = '/usr/bin/convert';

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const ffmpeg = (...args: string[]) => run('ffmpeg', '-loglevel', 'error', '-y', ...args);

/** Writes every fixture into `dir`; returns file names (keys below the media folder) to paths. */
export function makeMediaFixtures(dir: string): Record<string, string> {
  const at = (name: string) => join(dir, name);
  run(CONVERT, '-size', '640x480', 'plasma:fractal', '-quality', '90', at('photo.jpg'));
  run('exiftool', '-q', '-overwrite_original', '-n', '-Orientation=6', '-DateTimeOriginal=2024:05:06 07:08:09', at('photo.jpg'));
  run(CONVERT, '-size', '64x48', 'gradient:red-blue', at('pixel.png'));
  run(CONVERT, '-size', '320x200', 'gradient:blue-yellow', '-compress', 'lzw', at('scan.tif'));
  run(CONVERT, '-size', '120x80', 'plasma:fractal', '-quality', '80', at('web.webp'));
  run('gs', '-q', '-sDEVICE=pdfwrite', '-o', at('doc.pdf'), '-c',
    '/Helvetica findfont 24 scalefont setfont 72 700 moveto (one) show showpage 72 700 moveto (two) show showpage 72 700 moveto (three) show showpage');
  run('sox', '-n', '-r', '22050', '-c', '1', '-b', '16', at('tone.wav'), 'synth', '1.5', 'sine', '440');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2', '-c:a', 'libmp3lame', '-b:a', '128k', at('song.mp3'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', at('clip.mp4'));
  // A PNG named .jpg: its type comes from its bytes.
  run(CONVERT, '-size', '30x20', 'xc:green', `png:${at('disguised.jpg')}`);
  // A JPEG cut in the middle of its scan data.
  const photo = readFileSync(at('photo.jpg'));
  writeFileSync(at('truncated.jpg'), photo.subarray(0, Math.floor(photo.length / 2)));
  writeFileSync(at('empty.png'), Buffer.alloc(0));
  // A ZIP archive (not an allowed type), made by Python's zipfile.
  run('python3', '-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr("a.txt", "hello"); z.close()', at('archive.zip'));
  writeFileSync(at('notes.txt'), 'plain text, no media type\n');
  // The same bytes as photo.jpg under another key: one item.
  writeFileSync(at('photo_copy.jpg'), photo);
  return Object.fromEntries(['photo.jpg', 'pixel.png', 'scan.tif', 'web.webp', 'doc.pdf', 'tone.wav', 'song.mp3', 'clip.mp4', 'disguised.jpg',
    'truncated.jpg', 'empty.png', 'archive.zip', 'notes.txt', 'photo_copy.jpg'].map((n) => [n, at(n)]));
}

/** A JPEG of `size` (WxH) made by ImageMagick; returns `file`. */
export function makeJpeg(file: string, size: string): string {
  run(CONVERT, '-size', size, 'plasma:fractal', file);
  return file;
}

/**
 * A 640x480 H.264 video of a few hundred MB: lossless (-qp 0) coding of noisy frames, so it is
 * big yet quick to make with -preset ultrafast. The moov atom is at the end (ffmpeg's default).
 */
export function makeBigVideo(file: string, seconds = 20): number {
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=25', '-vf', 'noise=alls=60:allf=t', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', file);
  return statSync(file).size;
}
