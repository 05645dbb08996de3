import { ActingCheck, checkActingIdentities } from './acting-identity';
import { DataverseClient, escapeXmlAttribute } from './dataverse';

export const IMPERSONATION_IGNORED = 'ImpersonationIgnored';

/** A user the task will act as: its Entra object id and, when known, its system user id in the environment. */
export interface UserToActAs {
  objectId: string;
  systemUserId?: string;
}

/** The act-as check of one user; `impersonationIgnored` when WhoAmI answered, but as someone else. */
export type ImpersonationCheck =
  | ActingCheck
  | { ok: false; kind: 'impersonationIgnored'; code: typeof IMPERSONATION_IGNORED; message: string; answeredAs: string; expected: string };

/**
 * Verifies, with one read-only WhoAmI per distinct user (CallerObjectId), that the platform really
 * acts as each user the writes will act as. Dataverse may ignore a CallerObjectId it cannot honour
 * and run the request as the caller, so "it did not throw" proves nothing: WhoAmI's `UserId` must
 * be the user's own system user id. A refusal (missing privilege, disabled or unknown user) is
 * described by the act-as check, which makes the same WhoAmI requests; their answers are read here.
 */
export async function verifyImpersonation(dataverse: DataverseClient, users: readonly UserToActAs[], concurrency: number): Promise<Map<string, ImpersonationCheck>> {
  const answeredAs = new Map<string, string>();
  const recording = Object.create(dataverse) as DataverseClient;
  recording.whoAmI = async (options = {}) => {
    const answer = await dataverse.whoAmI(options);
    if (options.callerObjectId) answeredAs.set(options.callerObjectId.toLowerCase(), answer.UserId ?? '');
    return answer;
  };
  const expected = new Map(users.map((u) => [u.objectId.toLowerCase(), u.systemUserId]));
  const checks: Map<string, ImpersonationCheck> = await checkActingIdentities(recording, [...expected.keys()], concurrency);
  for (const [objectId, check] of checks) {
    if (check.ok) checks.set(objectId, compare(answeredAs.get(objectId), expected.get(objectId)));
  }
  return checks;
}

function compare(answeredUserId: string | undefined, expected: string | undefined): ImpersonationCheck {
  const answered = (answeredUserId ?? '').toLowerCase();
  if (!expected || answered === expected.toLowerCase()) return { ok: true };
  return {
    ok: false,
    kind: 'impersonationIgnored',
    code: IMPERSONATION_IGNORED,
    message: `WhoAmI answered as ${answered || 'an unknown user'}, not as ${expected.toLowerCase()}`,
    answeredAs: answered,
    expected: expected.toLowerCase(),
  };
}

/**
 * After the changes: the system user each cloud flow of the solution was last modified as
 * (`modifiedby`), in one paged query whatever the number of flows. A change requested as an owner
 * that the platform ran as the caller instead (CallerObjectId ignored, which WhoAmI does not always
 * show) is recognised here, so it is never reported as made as that owner.
 */
export async function lastModifiedBy(dataverse: DataverseClient, solutionName: string): Promise<Map<string, string>> {
  const rows = await dataverse.fetchAll<{ workflowid: string; _modifiedby_value?: string }>(
    'workflows',
    [
      '<fetch distinct="true"><entity name="workflow">',
      '<attribute name="workflowid"/><attribute name="modifiedby"/><order attribute="workflowid"/>',
      '<filter type="and"><condition attribute="category" operator="eq" value="5"/></filter>',
      '<link-entity name="solutioncomponent" from="objectid" to="workflowid" link-type="inner" alias="sc">',
      '<link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="s">',
      `<filter><condition attribute="uniquename" operator="eq" value="${escapeXmlAttribute(solutionName)}"/></filter>`,
      '</link-entity></link-entity></entity></fetch>',
    ].join(''),
  );
  return new Map(rows.map((row) => [row.workflowid.replace(/[{}]/g, '').toLowerCase(), (row._modifiedby_value ?? '').toLowerCase()]));
}
