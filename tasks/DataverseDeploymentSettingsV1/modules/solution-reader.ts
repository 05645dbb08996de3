import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_ZIP_LIMITS, ZipArchive, ZipEntry, ZipFormatError, ZipLimits } from './zip-archive';
import { XmlElement, XmlFormatError, attribute, child, childText, children, decodeText, parseXml } from './xml';

export const ENV_VAR_TYPES = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
  DataSource: 100000004,
  Secret: 100000005,
} as const;

export interface SolutionConnectionReference {
  logicalName: string;
  /** e.g. /providers/Microsoft.PowerApps/apis/shared_office365; empty when the file has none. */
  connectorId: string;
  displayName?: string;
}

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

/** The solution input cannot be read; the message says why, without the input name. */
export class SolutionReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolutionReadError';
  }
}

/** The files of a solution, zip or folder, by their path relative to its root (forward slashes). */
interface SolutionFiles {
  kind: 'zip' | 'folder';
  paths: string[];
  read(relativePath: string): string;
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
  const connectionReferences = readConnectionReferences(files.read(customizationsPath), customizationsPath);

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
    uniqueName: childText(manifest, 'UniqueName')?.trim() || undefined,
    version: childText(manifest, 'Version')?.trim() || undefined,
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
  return parseXmlOf(files.read(relativePath), relativePath);
}

function parseXmlOf(xml: string, relativePath: string): XmlElement {
  try {
    return parseXml(xml);
  } catch (error) {
    if (error instanceof XmlFormatError) throw new SolutionReadError(`${relativePath}: ${error.message}`);
    throw error;
  }
}

/**
 * Connection references sit in `<connectionreferences>` of customizations.xml. Only those blocks
 * are parsed: the rest of the file (entities, forms, flows) can be very large and is not needed.
 */
export function readConnectionReferences(customizationsXml: string, relativePath = 'customizations.xml'): SolutionConnectionReference[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(customizationsXml)) parseXmlOf(customizationsXml, relativePath);
  const result: SolutionConnectionReference[] = [];
  const seen = new Set<string>();
  const opening = /<connectionreferences\b([^>]*)>/gi;
  let match: RegExpExecArray | null;
  while ((match = opening.exec(customizationsXml))) {
    if (match[1].trimEnd().endsWith('/')) continue;
    const closing = /<\/connectionreferences\s*>/gi;
    closing.lastIndex = opening.lastIndex;
    const end = closing.exec(customizationsXml);
    if (!end) throw new SolutionReadError(`${relativePath}: <connectionreferences> is not closed`);
    const block = customizationsXml.slice(match.index, closing.lastIndex);
    opening.lastIndex = closing.lastIndex;
    for (const element of children(child(parseXmlOf(block, relativePath), 'connectionreferences'), 'connectionreference')) {
      const logicalName = (attribute(element, 'connectionreferencelogicalname') ?? childText(element, 'connectionreferencelogicalname') ?? '').trim();
      if (!logicalName || seen.has(logicalName.toLowerCase())) continue;
      seen.add(logicalName.toLowerCase());
      // The direct child only: a custom connector nests its own <connectorid> inside <customconnectorid>.
      const connectorId = (childText(element, 'connectorid') ?? '').trim();
      const displayName = childText(element, 'connectionreferencedisplayname')?.trim();
      result.push({ logicalName, connectorId, ...(displayName ? { displayName } : {}) });
    }
  }
  return result;
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
      try {
        return decodeText(archive.read(byName.get(relativePath)!));
      } catch (error) {
        if (error instanceof ZipFormatError) throw new SolutionReadError(error.message);
        throw error;
      }
    },
    close: () => archive.close(),
  };
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
  return {
    kind: 'folder',
    paths,
    read: (relativePath) => {
      const file = path.join(base, ...relativePath.split('/'));
      const size = fs.statSync(file).size;
      if (size > limits.maxEntryBytes) throw new SolutionReadError(`${relativePath} has ${size} bytes, more than the ${limits.maxEntryBytes} allowed`);
      total += size;
      if (total > limits.maxTotalBytes) throw new SolutionReadError(`the files read would exceed ${limits.maxTotalBytes} bytes`);
      return decodeText(fs.readFileSync(file));
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
