import * as fs from 'fs';
import * as path from 'path';
import { SolutionReadError } from '../../DataverseDeploymentSettingsV1/modules/solution-reader';
import { openZip } from '../../DataverseDeploymentSettingsV1/modules/solution-files';
import { DEFAULT_ZIP_LIMITS } from '../../DataverseDeploymentSettingsV1/modules/zip-archive';
import { decodeText } from '../../common/text-encoding';

/** A cloud flow of a solution file: its name and its definition as the solution stores it. */
export interface FileFlow {
  name: string;
  clientdata: string;
}

const FLOW_FILE = /^workflows\/[^/]+\.json$/i;
const GUID_SUFFIX = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cloud flow definitions of a solution `.zip` or unpacked folder (`Workflows/<name>-<id>.json`).
 * The flow's name is taken from its file name, which the platform builds from the display name.
 */
export function readSolutionFlows(inputPath: string): FileFlow[] {
  if (!fs.existsSync(inputPath)) throw new SolutionReadError('it does not exist');
  if (fs.statSync(inputPath).isDirectory()) return readFolderFlows(inputPath);
  const files = openZip(inputPath, DEFAULT_ZIP_LIMITS);
  try {
    return files.paths.filter((p) => FLOW_FILE.test(p)).map((p) => ({ name: flowName(p), clientdata: files.read(p) }));
  } finally {
    files.close();
  }
}

function readFolderFlows(root: string): FileFlow[] {
  const folder = [root, path.join(root, 'src')].map(findWorkflowsFolder).find((f) => f !== undefined);
  if (!folder) return [];
  let total = 0;
  const flows: FileFlow[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.json')) continue;
    const file = path.join(folder, entry.name);
    const size = fs.statSync(file).size;
    total += size;
    if (size > DEFAULT_ZIP_LIMITS.maxEntryBytes || total > DEFAULT_ZIP_LIMITS.maxTotalBytes) throw new SolutionReadError(`the flow definitions exceed ${DEFAULT_ZIP_LIMITS.maxTotalBytes} bytes`);
    flows.push({ name: flowName(entry.name), clientdata: decodeText(fs.readFileSync(file)) });
  }
  return flows;
}

function findWorkflowsFolder(root: string): string | undefined {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return undefined;
  const found = fs.readdirSync(root, { withFileTypes: true }).find((d) => d.isDirectory() && d.name.toLowerCase() === 'workflows');
  return found ? path.join(root, found.name) : undefined;
}

function flowName(relativePath: string): string {
  return path.posix.basename(relativePath.replace(/\\/g, '/')).replace(/\.json$/i, '').replace(GUID_SUFFIX, '');
}
