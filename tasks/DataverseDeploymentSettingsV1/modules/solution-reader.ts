import * as fs from 'fs';
import * as path from 'path';
import { neutraliseLine } from '../../common/remote-text';
import { ConnectionReferenceScanner, MAX_PARSED_XML_CHARS, SolutionConnectionReference, parseSolutionXml } from './connection-reference-scan';
import { SolutionReadError } from './solution-errors';
import { TextStreamDecoder } from './text-stream';
import { DEFAULT_ZIP_LIMITS, ZipArchive, ZipEntry, ZipFormatError, ZipLimits } from './zip-archive';
import { XmlElement, attribute, child, childText, decodeText } from './xml';

export { SolutionReadError };
export type { SolutionConnectionReference };
export { readConnectionReferences } from './connection-reference-scan';

export const ENV_VAR_TYPES = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
  DataSource: 100000004,
  Secret: 100000005,
} as const;

export interface SolutionEnvironmentVariable {
  schemaName: string;
  displayName?: string;
  type: number;
  defaultValue?: string;
  isRequired: boolean;
  /** 0 = Azure Key Vault (Secret type); absent in older exports. */
  secretStore?: number;
}

export interface SolutionContents {
  kind: 'zip' | 'folder';
  uniqueName?: string;
  version?: string;
  connectionReferences: SolutionConnectionReference[];
  environmentVariables: SolutionEnvironmentVariable[];
}

/** The files of a solution, zip or folder, by their path relative to its root (forward slashes). */
interface SolutionFiles {
  kind: 'zip' | 'folder';
  paths: string[];
  /** The whole file as text; refused beyond the XML parsed at once from one file. */
  read(relativePath: string): string;
  /** The file's bytes in chunks, for a file read without holding it whole. */
  stream(relativePath: string, sink: (chunk: Uint8Array) => void): void;
  close(): void;
}

const CUSTOMIZATIONS = ['customizations.xml', 'other/customizations.xml'];
const SOLUTION_MANIFEST = ['solution.xml', 'other/solution.xml'];
const ENV_VAR_DEFINITION = /^environmentvariabledefinitions\/[^/]+\/environmentvariabledefinition\.xml$/i;
const LEGACY_ENV_VAR_DEFINITION = /^environmentvariables\/[^/]+\.xml$/i;

/**
 * Reads the connection references and environment variable definitions of a solution `.zip`
 * (in place, never extracted) or of an unpacked folder in either layout the tools write.
 */
export function readSolution(inputPath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): SolutionContents {
  if (!fs.existsSync(inputPath)) throw new SolutionReadError('it does not exist');
  const files = fs.statSync(inputPath).isDirectory() ? openFolder(inputPath, limits) : openZip(inputPath, limits);
  try {
    return readContents(files);
  } finally {
    files.close();
  }
}

function readContents(files: SolutionFiles): SolutionContents {
  const customizationsPath = findFile(files.paths, CUSTOMIZATIONS);
  const manifestPath = findFile(files.paths, SOLUTION_MANIFEST);
  if (!customizationsPath && !manifestPath) {
    throw new SolutionReadError(
      files.kind === 'zip'
        ? 'the zip holds no solution.xml or customizations.xml at its root, so it is not a solution export'
        : 'the folder holds neither Other/Solution.xml and Other/Customizations.xml nor solution.xml and customizations.xml, so it is not an unpacked solution',
    );
  }
  if (!customizationsPath) throw new SolutionReadError(`it has ${manifestPath} but no customizations.xml`);
  if (!manifestPath) throw new SolutionReadError(`it has ${customizationsPath} but no solution.xml`);

  const manifest = child(child(parseFile(files, manifestPath), 'ImportExportXml'), 'SolutionManifest');
  const connectionReferences = scanConnectionReferences(files, customizationsPath);

  const environmentVariables: SolutionEnvironmentVariable[] = [];
  const seen = new Set<string>();
  const add = (definition: SolutionEnvironmentVariable | undefined) => {
    if (!definition || seen.has(definition.schemaName.toLowerCase())) return;
    seen.add(definition.schemaName.toLowerCase());
    environmentVariables.push(definition);
  };
  for (const p of files.paths.filter((p) => ENV_VAR_DEFINITION.test(p))) add(readDefinition(parseFile(files, p), p));
  for (const p of files.paths.filter((p) => LEGACY_ENV_VAR_DEFINITION.test(p))) add(readLegacyDefinition(parseFile(files, p)));

  return {
    kind: files.kind,
    // From the file, so shown only neutralised and bounded.
    uniqueName: neutraliseLine(childText(manifest, 'UniqueName')?.trim() ?? '', 200) || undefined,
    version: neutraliseLine(childText(manifest, 'Version')?.trim() ?? '', 50) || undefined,
    connectionReferences,
    environmentVariables,
  };
}

function findFile(paths: string[], candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    const found = paths.find((p) => p.toLowerCase() === candidate);
    if (found) return found;
  }
  return undefined;
}

function parseFile(files: SolutionFiles, relativePath: string): XmlElement {
  return parseSolutionXml(files.read(relativePath), relativePath);
}

/** customizations.xml can be very large (entities, forms, flows): it is streamed, and only its connection references are kept. */
function scanConnectionReferences(files: SolutionFiles, relativePath: string): SolutionConnectionReference[] {
  const scanner = new ConnectionReferenceScanner(relativePath);
  const decoder = new TextStreamDecoder();
  files.stream(relativePath, (chunk) => scanner.push(decoder.push(chunk)));
  scanner.push(decoder.end());
  return scanner.end();
}

/** Refuses a file whose text would exceed the XML parsed at once, from its size, before reading it (UTF-16 takes two bytes a character). */
function checkParsedSize(relativePath: string, bytes: number): void {
  if (bytes > 2 * MAX_PARSED_XML_CHARS + 2) throw new SolutionReadError(`${relativePath}: ${bytes} bytes of XML would be parsed at once, more than the ${MAX_PARSED_XML_CHARS} characters allowed`);
}

function readDefinition(document: XmlElement, relativePath: string): SolutionEnvironmentVariable | undefined {
  const root = child(document, 'environmentvariabledefinition');
  if (!root) throw new SolutionReadError(`${relativePath}: the root element is not <environmentvariabledefinition>`);
  const schemaName = (attribute(root, 'schemaname') ?? childText(root, 'schemaname') ?? '').trim();
  if (!schemaName) throw new SolutionReadError(`${relativePath}: the definition has no schemaname`);
  const displayName = attribute(child(root, 'displayname'), 'default')?.trim();
  return definition(schemaName, displayName, childText(root, 'type'), childText(root, 'defaultvalue'), childText(root, 'isrequired'), childText(root, 'secretstore'));
}

/** The 2020 SolutionPackager layout: `EnvironmentVariables/<name>.xml` with a PascalCase `<Definition>`. */
function readLegacyDefinition(document: XmlElement): SolutionEnvironmentVariable | undefined {
  const root = child(document, 'Definition');
  const schemaName = childText(root, 'SchemaName')?.trim();
  if (!root || !schemaName) return undefined;
  const localized = child(child(child(root, 'DisplayName'), 'LocalizedNames'), 'LocalizedName');
  return definition(schemaName, attribute(localized, 'description')?.trim(), childText(root, 'Type'), childText(root, 'DefaultValue'), childText(root, 'IsRequired'), childText(root, 'SecretStore'));
}

function definition(
  schemaName: string,
  displayName: string | undefined,
  type: string | undefined,
  defaultValue: string | undefined,
  isRequired: string | undefined,
  secretStore: string | undefined,
): SolutionEnvironmentVariable {
  const typeNumber = Number((type ?? '').trim());
  const store = Number((secretStore ?? '').trim());
  return {
    schemaName,
    ...(displayName ? { displayName } : {}),
    type: Number.isInteger(typeNumber) && typeNumber > 0 ? typeNumber : ENV_VAR_TYPES.String,
    ...(defaultValue !== undefined && defaultValue !== '' ? { defaultValue } : {}),
    isRequired: ['1', 'true'].includes((isRequired ?? '').trim().toLowerCase()),
    ...(secretStore !== undefined && secretStore.trim() !== '' && Number.isInteger(store) ? { secretStore: store } : {}),
  };
}

function openZip(zipPath: string, limits: ZipLimits): SolutionFiles {
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
function openFolder(root: string, limits: ZipLimits): SolutionFiles {
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
