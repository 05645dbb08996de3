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
  if (!raw) throw new UserError(host.loc('InputRequired', 'Environment', host.loc('EnvironmentRequiredHint')));
  const url = parseEnvironmentUrl(raw, (problem, detail) => {
    const reason = problem === 'notHttps' ? host.loc('UrlNotHttps', detail, source) : host.loc(URL_PROBLEM_MESSAGES[problem], source);
    return new UserError(host.loc('EnvironmentUrlInvalid', raw, reason));
  });
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

export type UrlProblem = 'notUrl' | 'notHttps' | 'credentials' | 'path';

const URL_PROBLEM_MESSAGES: Record<Exclude<UrlProblem, 'notHttps'>, string> = {
  notUrl: 'UrlNotAUrl',
  credentials: 'UrlHasCredentials',
  path: 'UrlHasPath',
};

/** An environment root over https; `fail` turns a problem (and, for a wrong scheme, the scheme) into the error to throw. */
export function parseEnvironmentUrl(raw: string, fail: (problem: UrlProblem, detail?: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fail('notUrl');
  }
  if (url.protocol !== 'https:') throw fail('notHttps', url.protocol.replace(':', ''));
  if (url.username || url.password) throw fail('credentials');
  if (url.pathname !== '/' && url.pathname !== '' && !/^\/api\/data\/v9\.\d\/?$/.test(url.pathname)) throw fail('path');
  return url;
}
