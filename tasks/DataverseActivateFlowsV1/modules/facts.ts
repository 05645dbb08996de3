import { ItemError } from '../../common/report';
import { CloudFlowRecord } from '../../common/solution-queries';
import { FlowDefinitionFacts, normaliseFlowId, readFlowDefinition } from './definition';

export type Localize = (key: string, ...args: unknown[]) => string;

export type ImpersonationMode = 'Auto' | 'ConnectionOwner' | 'User' | 'None';
export type FlowAction = 'turnOn' | 'turnOff';

/**
 * Why a flow is wanted in its state: listed in Flows (`listed`) or FlowsToTurnOff (`listedOff`),
 * recorded on or off (or suspended) in the states file, not in it (`new`, NewFlows applies),
 * every flow of the solution (`default`), or an `activateflow.activate.*` variable (`almVariable`).
 */
export type WantedReason = 'listed' | 'listedOff' | 'recordedOn' | 'recordedOff' | 'new' | 'default' | 'almVariable';

export const DATAVERSE_CONNECTOR = 'shared_commondataserviceforapps';

/** workflow.statecode: 0 Draft (off), 1 Activated (on), 2 Suspended. */
export const STATE_ON = 1;
export const STATE_OFF = 0;

/** A cloud flow of the listed solution(s), as gathered. */
export interface FlowFacts {
  /** Lower case, no braces. */
  id: string;
  name: string;
  statecode: number;
  definition: FlowDefinitionFacts;
  /** systemuserid of the flow's owner (`_ownerid_value`), lower case. */
  ownerId?: string;
}

/** What the plan needs of a listed flow: its definition is read here and its text not kept. */
export function toFlowFacts(record: CloudFlowRecord): FlowFacts {
  return {
    id: normaliseFlowId(record.workflowid),
    name: record.name,
    statecode: Number(record.statecode ?? 0),
    definition: readFlowDefinition(record.clientdata),
    ...(record._ownerid_value ? { ownerId: record._ownerid_value.toLowerCase() } : {}),
  };
}

export interface ReferenceFacts {
  logicalName: string;
  displayName?: string;
  connectorId?: string;
  connectionId?: string;
  /** True for a reference a flow uses that belongs to none of the listed solutions. */
  outsideSolution?: boolean;
  /** For a reference outside the listed solutions: the solutions that hold it. */
  solutions?: string[];
}

export interface UserFacts {
  objectId: string;
  systemUserId?: string;
  name?: string;
  upn?: string;
  disabled?: boolean;
}

/** Whether a flow is already as wanted; a suspended flow wanted off is left as it is (it does not run either). */
export function inWantedState(statecode: number, action: FlowAction): boolean {
  return action === 'turnOn' ? statecode === STATE_ON : statecode !== STATE_ON;
}

/** A flow outside the solution that a flow of the solution calls. */
export interface ExternalFlowFacts {
  id: string;
  name: string;
  statecode: number;
}

export type FlowError = ItemError;
