import { UserError } from './errors';
import { Session } from './session';
import { ConnectionInfo, toConnectionInfo } from './connections';

/**
 * Every connection of the target environment through one paged admin listing. The environment id
 * comes from RetrieveCurrentOrganization, or else from the BAP environment whose instance URL matches.
 */
export async function listEnvironmentConnections(session: Session, describeMissingEnvironment: (url: string) => string): Promise<ConnectionInfo[]> {
  let environmentId = session.environmentId;
  if (!environmentId) {
    const environments = await session.admin.listEnvironments();
    const wanted = session.environment.url.toLowerCase();
    environmentId = environments.find((e) => (e.properties?.linkedEnvironmentMetadata?.instanceUrl ?? '').toLowerCase().replace(/\/+$/, '') === wanted)?.name;
    if (!environmentId) throw new UserError(describeMissingEnvironment(session.environment.url));
  }
  const connections = await session.admin.listConnections(environmentId);
  return connections.map(toConnectionInfo);
}
