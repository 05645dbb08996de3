import { parseOwner } from '../../common/connections';
import { DataverseClient } from '../../common/dataverse';
import { UserError } from '../../common/errors';
import { SystemUserRecord, findSystemUsers, getAllIn } from '../../common/solution-queries';
import { FlowFacts, Localize, UserFacts } from './facts';

/** A flow's owner change: `from`/`to` are the users' UPNs (or names, or ids). */
export interface OwnerChange {
  from: string;
  to: string;
  fromSystemUserId?: string;
  toSystemUserId: string;
}

/** A flow that is on and owned by someone else than wanted: its owner is kept, and the report says so. */
export interface OwnerKept {
  owner: string;
  wanted: string;
}

/** A user named by an input or a variable (`source`), as given. */
export interface NamedUser {
  raw: string;
  source: string;
}

/**
 * The users that FlowOwner, `owner.ownerEmail.*` and `activateflow.activateas.*` name, in one
 * lookup by object id and UPN. A user who is not an enabled user of the environment is an input
 * error naming every such user and where it was named, found before any write.
 */
/**
 * The system user of each name given (UPN or Entra object id), in one query for all of them;
 * undefined for a name that is no user of the environment.
 */
export async function findNamedUsers(dataverse: DataverseClient, raws: readonly string[]): Promise<Map<string, SystemUserRecord | undefined>> {
  const specs = raws.map((raw) => ({ raw, spec: parseOwner(raw) }));
  const records = await findSystemUsers(dataverse, {
    objectIds: specs.flatMap((s) => (s.spec?.objectId ? [s.spec.objectId] : [])),
    upns: specs.flatMap((s) => (s.spec?.upn ? [s.spec.upn] : [])),
  });
  const found = new Map<string, SystemUserRecord | undefined>();
  for (const { raw, spec } of specs) {
    const record = records.find((r) => (spec?.objectId ? r.azureactivedirectoryobjectid?.toLowerCase() === spec.objectId : r.domainname?.toLowerCase() === spec?.upn));
    found.set(raw, record?.azureactivedirectoryobjectid ? record : undefined);
  }
  return found;
}

export async function resolveNamedUsers(dataverse: DataverseClient, named: readonly NamedUser[], toFacts: (r: SystemUserRecord) => UserFacts, loc: Localize): Promise<Map<string, UserFacts>> {
  const resolved = new Map<string, UserFacts>();
  if (named.length === 0) return resolved;
  const found = await findNamedUsers(dataverse, named.map((n) => n.raw));
  const problems: string[] = [];
  for (const { raw, source } of named) {
    const record = found.get(raw);
    if (!record) problems.push(loc('FlowUserNotFound', raw, source));
    else if (record.isdisabled) problems.push(loc('FlowUserDisabled', raw, source));
    else resolved.set(raw.toLowerCase(), toFacts(record));
  }
  if (problems.length > 0) throw new UserError([...new Set(problems)].join(' '));
  return resolved;
}

/** Labels (UPN, else name, else id) of the current owners of these flows, by lower-case systemuserid. */
export async function ownerLabels(dataverse: DataverseClient, flows: readonly FlowFacts[]): Promise<Map<string, string>> {
  const ids = [...new Set(flows.flatMap((f) => (f.ownerId ? [f.ownerId] : [])))];
  const records = await getAllIn<SystemUserRecord>(dataverse, 'systemusers?$select=systemuserid,domainname,fullname', 'systemuserid', ids);
  return new Map(records.map((r) => [r.systemuserid.toLowerCase(), r.domainname || r.fullname || r.systemuserid]));
}

export function userLabel(user: UserFacts): string {
  return user.upn || user.name || user.objectId;
}

/**
 * The owner decision for one flow to turn on: a flow that is off and owned by someone else is
 * assigned first; a flow that is on keeps its owner (assigning an activated flow is refused).
 */
export function ownerDecision(
  flow: FlowFacts,
  willSend: boolean,
  target: UserFacts | undefined,
  labels: ReadonlyMap<string, string>,
): { owner?: OwnerChange; ownerKept?: OwnerKept } {
  const to = target?.systemUserId?.toLowerCase();
  if (!target || !to || flow.ownerId === to) return {};
  const from = flow.ownerId ? (labels.get(flow.ownerId) ?? flow.ownerId) : '';
  if (!willSend) return { ownerKept: { owner: from, wanted: userLabel(target) } };
  return { owner: { from, to: userLabel(target), ...(flow.ownerId ? { fromSystemUserId: flow.ownerId } : {}), toSystemUserId: to } };
}

/** The owner decision of every flow to turn on that is off (to assign) or on (owner kept). */
export function decideOwners(
  planned: Iterable<{ id: string; action: string; outcome: string; owner?: OwnerChange; ownerKept?: OwnerKept }>,
  flowsById: ReadonlyMap<string, FlowFacts>,
  input: { ownerTargets?: ReadonlyMap<string, UserFacts>; ownerLabels?: ReadonlyMap<string, string> },
): void {
  for (const item of planned) {
    const flow = flowsById.get(item.id);
    if (!flow || item.action !== 'turnOn' || (item.outcome !== 'pending' && item.outcome !== 'alreadyInState')) continue;
    Object.assign(item, ownerDecision(flow, item.outcome === 'pending', input.ownerTargets?.get(item.id), input.ownerLabels ?? new Map()));
  }
}
