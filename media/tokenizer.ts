/**
 * A random-access strtok3 tokenizer over a ByteSource, for file-type and music-metadata: they
 * read headers and seek past payloads (an MP4's media data), so only what they parse is fetched.
 */
import { AbstractTokenizer, EndOfStreamError, type IFileInfo, type IReadChunkOptions } from 'strtok3';
import type { ByteSource } from './byte-source';

/** A strtok3 tokenizer reading `source` at any position (`mimeType` is a hint for the parsers). */
export class SourceTokenizer extends AbstractTokenizer {
  override fileInfo: IFileInfo;

  constructor(private readonly source: ByteSource, mimeType?: string) {
    super();
    this.fileInfo = { size: source.size, mimeType };
  }

  override supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.position = position;
  }

  override async readBuffer(buffer: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const position = options?.position ?? this.position;
    const n = await this.peekBuffer(buffer, { ...options, position });
    this.position = position + n;
    return n;
  }

  override async peekBuffer(buffer: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const length = options?.length ?? buffer.length;
    const position = options?.position ?? this.position;
    const bytes = await this.source.read(position, position + length);
    if (bytes.length < length && !options?.mayBeLess) throw new EndOfStreamError();
    buffer.set(bytes, 0);
    return bytes.length;
  }
}
