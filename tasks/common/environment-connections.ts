import { PowerAppsConnection, connectionAccess } from './admin';
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

/** The environment's connections and, learnt from the same listing, the ids (lower case) of those shared with the service principal. */
export interface ConnectionsAndSharing {
  connections: ConnectionInfo[];
  sharedWithServicePrincipal: Set<string>;
}

/**
 * The same single paged listing as `listEnvironmentConnections`, asked to expand each connection's
 * role assignment for the service principal (Impersonation Auto): whether it may use a connection
 * is known without a request per connection.
 */
export async function listEnvironmentConnectionsAndSharing(
  session: Session,
  describeMissingEnvironment: (url: string) => string,
  describeForbidden?: (reason: string, applicationId: string) => string,
): Promise<ConnectionsAndSharing> {
  const principal = session.identity.objectId;
  if (!principal) return { connections: await listEnvironmentConnections(session, describeMissingEnvironment, describeForbidden), sharedWithServicePrincipal: new Set() };
  let listed: readonly PowerAppsConnection[] = [];
  const admin = session.admin.withPermissionsOf({ principalObjectId: principal, onListed: (connections) => (listed = connections) });
  const connections = await listEnvironmentConnections({ ...session, admin }, describeMissingEnvironment, describeForbidden);
  const shared = listed.filter((c) => connectionAccess(c, principal) !== undefined).map((c) => c.name.toLowerCase());
  return { connections, sharedWithServicePrincipal: new Set(shared) };
}
