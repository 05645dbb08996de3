import * as fs from 'fs';
import { Inflate } from 'fflate';

/** Bounds that keep a hostile or broken archive from exhausting memory or time. */
export interface ZipLimits {
  maxEntries: number;
  /** Largest uncompressed size of one entry that is read. */
  maxEntryBytes: number;
  /** Largest uncompressed size of all entries read together. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
};

export interface ZipEntry {
  /** Path inside the archive with forward slashes. */
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The archive is not a zip, or is one that cannot be read safely; the message says why. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const READ_CHUNK = 16 * 1024;

/**
 * A zip file read in place: only the central directory is read up front, and an entry is inflated
 * only when asked for, never beyond the size its directory record declares.
 */
export class ZipArchive {
  private totalRead = 0;

  private constructor(
    private readonly fd: number,
    private readonly fileSize: number,
    readonly entries: ZipEntry[],
    private readonly limits: ZipLimits,
  ) {}

  static open(filePath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipArchive {
    const fd = fs.openSync(filePath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const entries = readCentralDirectory(fd, size, limits);
      return new ZipArchive(fd, size, entries, limits);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** The whole entry. */
  read(entry: ZipEntry): Uint8Array {
    const output = new Uint8Array(entry.uncompressedSize);
    let produced = 0;
    this.stream(entry, (chunk) => {
      output.set(chunk, produced);
      produced += chunk.length;
    });
    return output;
  }

  /** The entry in chunks as it is inflated, so a large one is never held whole. */
  stream(entry: ZipEntry, sink: (chunk: Uint8Array) => void): void {
    if (entry.flags & 0x1) throw new ZipFormatError(`'${entry.name}' is encrypted`);
    if (entry.uncompressedSize > this.limits.maxEntryBytes) {
      throw new ZipFormatError(`'${entry.name}' declares ${entry.uncompressedSize} bytes, more than the ${this.limits.maxEntryBytes} bytes allowed for one entry`);
    }
    if (this.totalRead + entry.uncompressedSize > this.limits.maxTotalBytes) {
      throw new ZipFormatError(`the entries read would exceed ${this.limits.maxTotalBytes} bytes uncompressed`);
    }
    this.totalRead += entry.uncompressedSize;

    const header = readAt(this.fd, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipFormatError(`the local header of '${entry.name}' is damaged`);
    const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (dataStart + entry.compressedSize > this.fileSize) throw new ZipFormatError(`'${entry.name}' extends past the end of the file`);

    if (entry.method === 0) {
      if (entry.compressedSize !== entry.uncompressedSize) throw new ZipFormatError(`the sizes of the stored entry '${entry.name}' disagree`);
      for (let offset = 0; offset < entry.compressedSize; offset += READ_CHUNK) {
        const chunk = readAt(this.fd, dataStart + offset, Math.min(READ_CHUNK, entry.compressedSize - offset));
        sink(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      }
      return;
    }
    if (entry.method !== 8) throw new ZipFormatError(`'${entry.name}' uses compression method ${entry.method}; only deflate is supported`);
    this.inflate(entry, dataStart, sink);
  }

  private inflate(entry: ZipEntry, dataStart: number, sink: (chunk: Uint8Array) => void): void {
    let produced = 0;
    let ended = false;
    let sinkError: unknown;
    const inflater = new Inflate((chunk, final) => {
      if (produced + chunk.length > entry.uncompressedSize) {
        throw new ZipFormatError(`'${entry.name}' inflates beyond the ${entry.uncompressedSize} bytes it declares`);
      }
      produced += chunk.length;
      try {
        sink(chunk);
      } catch (error) {
        sinkError = error;
        throw error;
      }
      if (final) ended = true;
    });
    let offset = 0;
    // Small compressed chunks bound how far one push can inflate before the size check runs.
    while (offset < entry.compressedSize) {
      const length = Math.min(READ_CHUNK, entry.compressedSize - offset);
      const chunk = readAt(this.fd, dataStart + offset, length);
      offset += length;
      try {
        inflater.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length), offset >= entry.compressedSize);
      } catch (error) {
        if (error instanceof ZipFormatError || sinkError !== undefined) throw error;
        throw new ZipFormatError(`'${entry.name}' is not valid deflate data (${(error as Error).message})`);
      }
    }
    if (entry.compressedSize === 0) ended = entry.uncompressedSize === 0;
    if (!ended || produced !== entry.uncompressedSize) throw new ZipFormatError(`'${entry.name}' is truncated or damaged`);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = fs.readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}

function readCentralDirectory(fd: number, size: number, limits: ZipLimits): ZipEntry[] {
  if (size < EOCD_SIZE) throw new ZipFormatError('it is not a zip archive (the file is too small)');
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = readAt(fd, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('it is not a zip archive (no end of central directory record)');
  const diskNumber = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (diskNumber !== 0 || cdDisk !== 0) throw new ZipFormatError('multi-part zip archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives (more than 65,535 entries or 4 GB) are not supported');
  }
  if (count > limits.maxEntries) throw new ZipFormatError(`it has ${count} entries, more than the ${limits.maxEntries} allowed`);
  if (cdOffset + cdSize > size) throw new ZipFormatError('its central directory lies outside the file');

  const cd = readAt(fd, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  while (entries.length < count) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new ZipFormatError('its central directory is damaged');
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLength > cd.length) throw new ZipFormatError('its central directory is damaged');
    entries.push({
      name: cd.toString('utf8', p + 46, p + 46 + nameLength).replace(/\\/g, '/'),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
