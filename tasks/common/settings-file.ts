import * as fs from 'fs';
import { UserError } from './errors';
import { decodeText } from './text-encoding';

export interface SettingsEnvironmentVariable {
  SchemaName: string;
  Value: string;
}

export interface SettingsConnectionReference {
  LogicalName: string;
  ConnectionId: string;
  ConnectorId: string;
  /** The ALM Accelerator's extra key: the owner (UPN or object id) whose connection the reference gets. Never written. */
  ConnectionOwner?: string;
}

/** The format `pac solution create-settings` writes and `pac solution import --settings-file` reads. */
export interface DeploymentSettings {
  EnvironmentVariables: SettingsEnvironmentVariable[];
  ConnectionReferences: SettingsConnectionReference[];
}

/** Parses pac-format settings text; `describe` names where it came from (an input or a stage run). */
export function parseDeploymentSettings(text: string, describe: (reason: string) => string): DeploymentSettings {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    // The parser's message quotes the text around the fault, which may hold secrets: only the position is kept.
    throw new UserError(describe(`it is not valid JSON (${jsonErrorPosition(text, error)})`));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError(describe('it must be a JSON object'));
  const object = value as Record<string, unknown>;
  const list = (key: string): Record<string, unknown>[] => {
    const found = Object.keys(object).find((k) => k.toLowerCase() === key.toLowerCase());
    const items = found ? object[found] : [];
    if (items === null || items === undefined) return [];
    if (!Array.isArray(items)) throw new UserError(describe(`'${key}' must be an array`));
    return items.map((item, index) => {
      if (!item || typeof item !== 'object') throw new UserError(describe(`'${key}[${index}]' must be an object`));
      return item as Record<string, unknown>;
    });
  };
  const field = (item: Record<string, unknown>, key: string): string => {
    const found = Object.keys(item).find((k) => k.toLowerCase() === key.toLowerCase());
    const v = found ? item[found] : undefined;
    return v === null || v === undefined ? '' : String(v);
  };
  return {
    EnvironmentVariables: list('EnvironmentVariables').map((item) => ({ SchemaName: field(item, 'SchemaName'), Value: field(item, 'Value') })),
    ConnectionReferences: list('ConnectionReferences').map((item) => {
      const owner = field(item, 'ConnectionOwner');
      return {
        LogicalName: field(item, 'LogicalName'),
        ConnectionId: field(item, 'ConnectionId'),
        ConnectorId: field(item, 'ConnectorId'),
        ...(owner ? { ConnectionOwner: owner } : {}),
      };
    }),
  };
}

function jsonErrorPosition(text: string, error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message ?? '');
  if (!position) return 'unexpected end or token';
  const offset = Number(position[1]);
  const before = text.replace(/^\uFEFF/, '').slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export function readDeploymentSettingsFile(filePath: string, describe: (reason: string) => string): DeploymentSettings {
  if (!fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) throw new UserError(describe('the file does not exist'));
  // UTF-8 with or without a BOM, or UTF-16 with one (what Windows PowerShell's Out-File writes).
  return parseDeploymentSettings(decodeText(fs.readFileSync(filePath)), describe);
}

/** Stable key order (EnvironmentVariables, then ConnectionReferences; fields in pac order), 2-space indent. */
export function serializeDeploymentSettings(settings: DeploymentSettings): string {
  const ordered = {
    EnvironmentVariables: settings.EnvironmentVariables.map((e) => ({ SchemaName: e.SchemaName, Value: e.Value })),
    ConnectionReferences: settings.ConnectionReferences.map((c) => ({ LogicalName: c.LogicalName, ConnectionId: c.ConnectionId, ConnectorId: c.ConnectorId })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
