import { PipelineVariable } from '../../common/alm-variables';
import { DataverseClient } from '../../common/dataverse';
import { FlowState, FlowStates, readFlowStatesFile } from '../../common/flow-states-file';
import { SystemUserRecord } from '../../common/solution-queries';
import { FlowFacts, Localize, UserFacts } from './facts';
import { readFlowOverrides } from './flow-overrides';
import { NamedUser, ownerLabels, resolveNamedUsers } from './flow-owners';
import { StateInputs } from './state-inputs';

/** What the states file, FlowOwner and the per-flow variables add to the plan's input. */
export interface FlowSettings {
  recordedStates?: Map<string, FlowState>;
  newFlows: 'On' | 'Off';
  keptOffByVariable: Set<string>;
  activateAs: Map<string, UserFacts>;
  ownerTargets: Map<string, UserFacts>;
  ownerLabels: Map<string, string>;
  /** Users acted as or assigned, for names and identity checks. */
  users: UserFacts[];
}

export interface SettingsNotes {
  info(text: string): void;
  warning(text: string): void;
}

/** The states file, read and checked against the environment before any request: an unusable file names itself. */
export function readStatesFile(inputs: StateInputs, environment: string, loc: Localize): FlowStates | undefined {
  const file = inputs.flowStatesFile;
  if (!file) return undefined;
  return readFlowStatesFile(file, environment, {
    invalid: (reason) => loc('FlowStatesFileInvalid', file, reason),
    otherEnvironment: (recorded, expected) => loc('FlowStatesFileOtherEnvironment', file, recorded, expected),
  });
}

/**
 * The per-flow settings, with the users they name resolved in one lookup (an unknown or disabled
 * user fails here, before any write) and the current owners of the flows to assign named.
 */
export async function gatherFlowSettings(
  dataverse: DataverseClient,
  inputs: StateInputs,
  states: FlowStates | undefined,
  flows: readonly FlowFacts[],
  variables: readonly PipelineVariable[],
  toFacts: (record: SystemUserRecord) => UserFacts,
  notes: SettingsNotes,
  loc: Localize,
): Promise<FlowSettings> {
  const solutions = inputs.solutionNames.join(', ');
  const overrides = readFlowOverrides(variables, flows, solutions, loc);
  for (const warning of overrides.warnings) notes.warning(warning);
  if (overrides.orderVariables.length > 0) notes.info(loc('FlowOrderVariablesIgnored', overrides.orderVariables.length, overrides.orderVariables.join(', ')));

  const named: NamedUser[] = [
    ...(inputs.flowOwner ? [{ raw: inputs.flowOwner, source: 'FlowOwner' }] : []),
    ...[...overrides.owners.values(), ...overrides.activateAs.values()].map((o) => ({ raw: o.user, source: o.variable })),
  ];
  const users = await resolveNamedUsers(dataverse, named, toFacts, loc);
  const userOf = (raw: string) => users.get(raw.toLowerCase()) as UserFacts;

  const ownerTargets = new Map<string, UserFacts>();
  for (const flow of flows) {
    const wanted = overrides.owners.get(flow.id)?.user ?? inputs.flowOwner;
    if (wanted) ownerTargets.set(flow.id, userOf(wanted));
  }
  const toAssign = flows.filter((f) => {
    const target = ownerTargets.get(f.id)?.systemUserId?.toLowerCase();
    return target !== undefined && f.ownerId !== target;
  });
  return {
    recordedStates: states ? new Map(states.flows.map((f) => [f.workflowId.toLowerCase(), f.state])) : undefined,
    newFlows: inputs.newFlows,
    keptOffByVariable: overrides.keptOff,
    activateAs: new Map([...overrides.activateAs].map(([id, o]) => [id, userOf(o.user)])),
    ownerTargets,
    ownerLabels: await ownerLabels(dataverse, toAssign),
    users: [...users.values()],
  };
}
