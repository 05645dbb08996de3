import { UserError } from './errors';
import { TaskHost } from './task-host';
import { CloudEndpoints, cloudEndpoints } from './cloud';

export interface TargetEnvironment {
  /** https://org.crm.dynamics.com, no trailing slash. */
  url: string;
  host: string;
  endpoints: CloudEndpoints;
}

/**
 * The `Environment` input wins; when it is empty or an unresolved `$(BuildTools.EnvironmentUrl)`,
 * the service connection's Server URL is used.
 */
export function resolveEnvironment(host: TaskHost, endpointUrl: string | undefined): TargetEnvironment {
  const fromInput = host.input('Environment');
  const raw = fromInput ?? endpointUrl?.trim();
  const source = fromInput ? 'Environment' : 'PowerPlatformSPN';
  if (!raw) {
    throw new UserError(host.loc('InputRequired', 'Environment', 'Set it to the target environment URL, or set the Server URL of the service connection.'));
  }
  const url = parseEnvironmentUrl(raw, (reason) => new UserError(host.loc('EnvironmentUrlInvalid', raw, `${reason} (from ${source})`)));
  return {
    url: url.origin,
    host: url.host,
    endpoints: cloudEndpoints(url.hostname, {
      authorityHost: host.variable('PowerPlatform.AuthorityHost'),
      powerAppsApiUrl: host.variable('PowerPlatform.PowerAppsApiUrl'),
      bapApiUrl: host.variable('PowerPlatform.BapApiUrl'),
    }),
  };
}

export function parseEnvironmentUrl(raw: string, fail: (reason: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fail('it is not a URL');
  }
  if (url.protocol !== 'https:') throw fail(`it uses ${url.protocol.replace(':', '')}; Dataverse is only reachable over https`);
  if (url.username || url.password) throw fail('it must not contain credentials');
  if (url.pathname !== '/' && url.pathname !== '' && !/^\/api\/data\/v9\.\d\/?$/.test(url.pathname)) {
    throw fail('it must be the environment root, without a path');
  }
  return url;
}
