import { PlatformError, UserError } from './errors';
import { Session } from './session';
import { ConnectionInfo, toConnectionInfo } from './connections';

/**
 * Every connection of the target environment through one paged admin listing. The environment id
 * comes from RetrieveCurrentOrganization, or else from the BAP environment whose instance URL matches.
 * When the admin API refuses the service principal (not registered as a management app),
 * `describeForbidden` turns that into the author's fix.
 */
export async function listEnvironmentConnections(
  session: Session,
  describeMissingEnvironment: (url: string) => string,
  describeForbidden?: (reason: string, applicationId: string) => string,
): Promise<ConnectionInfo[]> {
  try {
    let environmentId = session.environmentId;
    if (!environmentId) {
      const environments = await session.admin.listEnvironments();
      const wanted = session.environment.url.toLowerCase();
      environmentId = environments.find((e) => (e.properties?.linkedEnvironmentMetadata?.instanceUrl ?? '').toLowerCase().replace(/\/+$/, '') === wanted)?.name;
      if (!environmentId) throw new UserError(describeMissingEnvironment(session.environment.url));
    }
    const connections = await session.admin.listConnections(environmentId);
    return connections.map(toConnectionInfo);
  } catch (error) {
    if (describeForbidden && error instanceof PlatformError && (error.status === 401 || error.status === 403)) {
      const applicationId = session.identity.applicationId ?? session.tokens.clientId ?? '<application id>';
      throw new UserError(describeForbidden(`${error.effectiveCode}: ${error.effectiveMessage}`, applicationId));
    }
    throw error;
  }
}
