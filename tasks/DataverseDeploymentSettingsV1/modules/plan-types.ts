import { ConnectionSources, ConventionValue } from '../../common/connection-references';
import { ConnectionInfo, OwnerSpec } from '../../common/connections';
import { MASK } from '../../common/secrets';
import { DeploymentSettings } from '../../common/settings-file';
import { TokenisedSettings } from '../../common/settings-reading';
import { ValueSource } from '../../common/variables';
import { SolutionContents } from './solution-reader';

export type Localizer = (key: string, ...args: unknown[]) => string;

export { MASK };

/** A problem (fails the run) or a warning, with a message ready for the log. */
export interface Finding {
  code: string;
  message: string;
  hint?: string;
}

export type ConventionPrefix = 'ConnectionReference' | 'Connector' | 'EnvironmentVariable';

/** The variable-group conventions and the ConnectionOwner, as the plan reads them. */
export interface VariableSource extends ConnectionSources {
  environmentVariable(schemaName: string): ConventionValue | undefined;
  /** Every variable that follows a convention; `key` is the part after the prefix. */
  list(): Array<{ prefix: ConventionPrefix; key: string; name: string }>;
  /** The `connectionreference.user.<logicalname>` variables. */
  ownerVariables?(): Array<{ logicalName: string; variable: string }>;
}

interface PlannedEntry {
  displayName?: string;
  /** In the solution input (always true when no solution was given). */
  inSolution: boolean;
  /** The value in the starting settings; undefined when the entry is new to them. */
  previous?: string;
  /** The value the settings get. */
  value: string;
  source?: ValueSource;
  /** The variable that gave the value. */
  variable?: string;
  /** Shown masked everywhere but in the settings themselves. */
  secret: boolean;
  problems: Finding[];
  warnings: Finding[];
}

export interface PlannedReference extends PlannedEntry {
  kind: 'connectionReference';
  logicalName: string;
  connectorId: string;
  /** Connector name (last segment of the connector id); empty when unknown. */
  connector: string;
  /** The connection of the value, when the environment's connections were listed. */
  connection?: ConnectionInfo;
}

export interface PlannedVariable extends PlannedEntry {
  kind: 'environmentVariable';
  schemaName: string;
  /** undefined when the entry is only in the settings (its type is not known). */
  type?: number;
  required: boolean;
  defaultValue?: string;
}

export interface PlanInput {
  solution?: SolutionContents;
  /** The settings file and/or the stage run's settings, already layered. */
  starting: DeploymentSettings;
  variables: VariableSource;
  owner?: OwnerSpec;
  /** The target environment's connections; undefined when they were not listed. */
  connections?: readonly ConnectionInfo[];
  validate: boolean;
  failOnMissingValues: boolean;
  environmentUrl: string;
  /** The settings file's tokens: values holding secrets, and the variables that left values empty. */
  tokens?: Pick<TokenisedSettings, 'secrets' | 'unsetConnectionIds' | 'unsetValues'>;
  text: Localizer;
}

export interface SettingsPlan {
  references: PlannedReference[];
  variables: PlannedVariable[];
  /** The settings to write, entries sorted by name. */
  settings: DeploymentSettings;
  /** Warnings not tied to an entry (variables that match nothing). */
  warnings: Finding[];
  problemCount: number;
}

/** Whether the plan needs the environment's connections: ConnectionOwner resolution or validation of connection ids. */
