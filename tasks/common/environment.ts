import { UserError } from './errors';
import { TaskHost } from './task-host';
import { CloudEndpoints, CloudOverrides, cloudEndpoints, isTrustedEndpointHost } from './cloud';

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
    endpoints: cloudEndpoints(url.hostname, endpointOverrides(host)),
  };
}

const OVERRIDE_VARIABLES: Record<keyof CloudOverrides, string> = {
  authorityHost: 'PowerPlatform.AuthorityHost',
  powerAppsApiUrl: 'PowerPlatform.PowerAppsApiUrl',
  bapApiUrl: 'PowerPlatform.BapApiUrl',
  powerAppsAudience: 'PowerPlatform.PowerAppsAudience',
};

/**
 * The `PowerPlatform.*` endpoint overrides (CONTRACT §2.2), each an https origin on a Microsoft
 * cloud host or loopback unless `PowerPlatform.AllowCustomEndpoints` is `true`: the client secret
 * and every token go where these point, so a job variable must not redirect them.
 */
export function endpointOverrides(host: TaskHost): CloudOverrides {
  const allowCustom = (host.variable('PowerPlatform.AllowCustomEndpoints') ?? '').trim().toLowerCase() === 'true';
  const overrides: CloudOverrides = {};
  for (const [key, name] of Object.entries(OVERRIDE_VARIABLES) as Array<[keyof CloudOverrides, string]>) {
    const value = host.variable(name)?.trim();
    if (!value) continue;
    if (!isAcceptableOverride(value, allowCustom)) throw new UserError(host.loc('EndpointOverrideRejected', name));
    overrides[key] = value;
  }
  return overrides;
}

function isAcceptableOverride(value: string, allowCustom: boolean): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) return false;
  if (url.pathname !== '/' && url.pathname !== '') return false;
  return allowCustom || isTrustedEndpointHost(url.hostname);
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
