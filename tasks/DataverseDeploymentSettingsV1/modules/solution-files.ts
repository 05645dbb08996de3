import * as fs from 'fs';
import * as path from 'path';
import { MAX_PARSED_XML_CHARS } from './connection-reference-scan';
import { SolutionReadError } from './solution-errors';
import { ZipArchive, ZipEntry, ZipFormatError, ZipLimits } from './zip-archive';
import { decodeText } from '../../common/text-encoding';

/** The files of a solution, zip or folder, by their path relative to its root (forward slashes). */
export interface SolutionFiles {
  kind: 'zip' | 'folder';
  paths: string[];
  /** The whole file as text; refused beyond the XML parsed at once from one file. */
  read(relativePath: string): string;
  /** The file's bytes in chunks, for a file read without holding it whole. */
  stream(relativePath: string, sink: (chunk: Uint8Array) => void): void;
  close(): void;
}


export const SOLUTION_MANIFEST = ['solution.xml', 'other/solution.xml'];

export function findFile(paths: string[], candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    const found = paths.find((p) => p.toLowerCase() === candidate);
    if (found) return found;
  }
  return undefined;
}

/** Refuses a file whose text would exceed the XML parsed at once, from its size, before reading it (UTF-16 takes two bytes a character). */
function checkParsedSize(relativePath: string, bytes: number): void {
  if (bytes > 2 * MAX_PARSED_XML_CHARS + 2) throw new SolutionReadError(`${relativePath}: ${bytes} bytes of XML would be parsed at once, more than the ${MAX_PARSED_XML_CHARS} characters allowed`);
}

export function openZip(zipPath: string, limits: ZipLimits): SolutionFiles {
  let archive: ZipArchive;
  try {
    archive = ZipArchive.open(zipPath, limits);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new SolutionReadError(error.message);
    throw error;
  }
  const byName = new Map<string, ZipEntry>();
  for (const entry of archive.entries) {
    if (!entry.name.endsWith('/') && !byName.has(entry.name)) byName.set(entry.name, entry);
  }
  return {
    kind: 'zip',
    paths: [...byName.keys()],
    read: (relativePath) => {
      const entry = byName.get(relativePath)!;
      checkParsedSize(relativePath, entry.uncompressedSize);
      return zipErrors(() => decodeText(archive.read(entry)));
    },
    stream: (relativePath, sink) => zipErrors(() => archive.stream(byName.get(relativePath)!, sink)),
    close: () => archive.close(),
  };
}

function zipErrors<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ZipFormatError) throw new SolutionReadError(error.message);
    throw error;
  }
}

const FOLDERS_READ = new Set(['other', 'environmentvariabledefinitions', 'environmentvariables']);

/** Lists only the few folders a solution's settings live in, never the whole tree. */
export function openFolder(root: string, limits: ZipLimits): SolutionFiles {
  let base = root;
  let paths = listSolutionPaths(base);
  if (!findFile(paths, SOLUTION_MANIFEST)) {
    // The cdsproj layout keeps the unpacked solution in src/.
    const src = fs.readdirSync(root, { withFileTypes: true }).find((d) => d.isDirectory() && d.name.toLowerCase() === 'src');
    if (src) {
      const nested = listSolutionPaths(path.join(root, src.name));
      if (findFile(nested, SOLUTION_MANIFEST)) {
        base = path.join(root, src.name);
        paths = nested;
      }
    }
  }
  let total = 0;
  const open = (relativePath: string): { file: string; size: number } => {
    const file = path.join(base, ...relativePath.split('/'));
    const size = fs.statSync(file).size;
    if (size > limits.maxEntryBytes) throw new SolutionReadError(`${relativePath} has ${size} bytes, more than the ${limits.maxEntryBytes} allowed`);
    total += size;
    if (total > limits.maxTotalBytes) throw new SolutionReadError(`the files read would exceed ${limits.maxTotalBytes} bytes`);
    return { file, size };
  };
  return {
    kind: 'folder',
    paths,
    read: (relativePath) => {
      const { file, size } = open(relativePath);
      checkParsedSize(relativePath, size);
      return decodeText(fs.readFileSync(file));
    },
    stream: (relativePath, sink) => {
      const { file } = open(relativePath);
      const fd = fs.openSync(file, 'r');
      try {
        const buffer = Buffer.alloc(64 * 1024);
        for (let n = fs.readSync(fd, buffer, 0, buffer.length, null); n > 0; n = fs.readSync(fd, buffer, 0, buffer.length, null)) sink(buffer.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    },
    close: () => undefined,
  };
}

function listSolutionPaths(root: string): string[] {
  const paths: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile()) paths.push(entry.name);
    if (!entry.isDirectory() || !FOLDERS_READ.has(entry.name.toLowerCase())) continue;
    const folder = path.join(root, entry.name);
    const isDefinitions = entry.name.toLowerCase() === 'environmentvariabledefinitions';
    for (const inner of fs.readdirSync(folder, { withFileTypes: true })) {
      if (inner.isFile()) paths.push(`${entry.name}/${inner.name}`);
      if (isDefinitions && inner.isDirectory()) {
        for (const file of fs.readdirSync(path.join(folder, inner.name), { withFileTypes: true })) {
          if (file.isFile()) paths.push(`${entry.name}/${inner.name}/${file.name}`);
        }
      }
    }
  }
  return paths;
}
