import * as fs from 'fs';
import { neutraliseLine } from '../../common/remote-text';
import { ConnectionReferenceScanner, SolutionConnectionReference, parseSolutionXml } from './connection-reference-scan';
import { SolutionReadError } from './solution-errors';
import { SOLUTION_MANIFEST, SolutionFiles, findFile, openFolder, openZip } from './solution-files';
import { TextStreamDecoder } from './text-stream';
import { DEFAULT_ZIP_LIMITS, ZipLimits } from './zip-archive';
import { XmlElement, attribute, child, childText } from './xml';

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

const CUSTOMIZATIONS = ['customizations.xml', 'other/customizations.xml'];
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
