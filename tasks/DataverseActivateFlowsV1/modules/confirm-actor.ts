import { DataverseClient } from '../../common/dataverse';
import { lastModifiedBy } from '../../common/impersonation-check';
import { FlowResult } from './apply';
import { UserFacts } from './facts';
import { PlannedFlow } from './plan';

/**
 * Flows changed as a user (CallerObjectId) whose change the platform recorded as made by the
 * service principal: the impersonation was ignored. Their actor is corrected to the service
 * principal (actorReason `impersonationIgnored`), so no flow is reported turned on as an owner it
 * was not turned on as. One read, only when some change was made as a user.
 */
export async function confirmActors(
  dataverse: DataverseClient,
  solutionName: string,
  flows: readonly PlannedFlow[],
  results: ReadonlyMap<string, FlowResult>,
  users: readonly UserFacts[],
  servicePrincipalUserId: string,
): Promise<PlannedFlow[]> {
  const asUser = flows.filter((f) => f.actor?.kind === 'user' && ['activated', 'deactivated'].includes(results.get(f.id)?.outcome ?? ''));
  if (asUser.length === 0) return [];
  const modifiedBy = await lastModifiedBy(dataverse, solutionName);
  const sp = servicePrincipalUserId.toLowerCase();
  const systemUserIds = new Map(users.map((u) => [u.objectId.toLowerCase(), (u.systemUserId ?? '').toLowerCase()]));
  const corrected: PlannedFlow[] = [];
  for (const flow of asUser) {
    const expected = flow.actor?.kind === 'user' ? systemUserIds.get(flow.actor.objectId) : undefined;
    const actual = modifiedBy.get(flow.id);
    if (!actual || actual !== sp || actual === expected) continue;
    flow.actor = { kind: 'servicePrincipal' };
    flow.actorReason = 'impersonationIgnored';
    corrected.push(flow);
  }
  return corrected;
}
