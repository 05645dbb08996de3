export type CloudName = 'Public' | 'UsGov' | 'UsGovHigh' | 'UsGovDod' | 'China';

export interface CloudEndpoints {
  cloud: CloudName;
  authorityHost: string;
  powerAppsApiUrl: string;
  bapApiUrl: string;
  /** Audience of the Power Apps admin and BAP APIs. */
  powerAppsAudience: string;
}

const CLOUDS: Record<CloudName, Omit<CloudEndpoints, 'cloud'>> = {
  Public: {
    authorityHost: 'https://login.microsoftonline.com',
    powerAppsApiUrl: 'https://api.powerapps.com',
    bapApiUrl: 'https://api.bap.microsoft.com',
    powerAppsAudience: 'https://service.powerapps.com/',
  },
  UsGov: {
    authorityHost: 'https://login.microsoftonline.com',
    powerAppsApiUrl: 'https://gov.api.powerapps.us',
    bapApiUrl: 'https://gov.api.bap.microsoft.us',
    powerAppsAudience: 'https://gov.service.powerapps.us/',
  },
  UsGovHigh: {
    authorityHost: 'https://login.microsoftonline.us',
    powerAppsApiUrl: 'https://high.api.powerapps.us',
    bapApiUrl: 'https://high.api.bap.microsoft.us',
    powerAppsAudience: 'https://high.service.powerapps.us/',
  },
  UsGovDod: {
    authorityHost: 'https://login.microsoftonline.us',
    powerAppsApiUrl: 'https://api.apps.appsplatform.us',
    bapApiUrl: 'https://api.bap.appsplatform.us',
    powerAppsAudience: 'https://service.apps.appsplatform.us/',
  },
  China: {
    authorityHost: 'https://login.chinacloudapi.cn',
    powerAppsApiUrl: 'https://api.powerapps.cn',
    bapApiUrl: 'https://api.bap.partner.microsoftonline.cn',
    powerAppsAudience: 'https://service.powerapps.cn/',
  },
};

/** The cloud of a Dataverse host, as the Build Tools infer it (crm9 = GCC, microsoftdynamics.us = GCC High, ...). */
export function inferCloud(host: string): CloudName {
  const h = host.toLowerCase();
  if (h.endsWith('.crm.appsplatform.us')) return 'UsGovDod';
  if (h.endsWith('.crm.microsoftdynamics.us')) return 'UsGovHigh';
  if (h.endsWith('.crm9.dynamics.com')) return 'UsGov';
  if (h.endsWith('.crm.dynamics.cn')) return 'China';
  return 'Public';
}

export interface CloudOverrides {
  authorityHost?: string;
  powerAppsApiUrl?: string;
  bapApiUrl?: string;
  powerAppsAudience?: string;
}

export function cloudEndpoints(host: string, overrides: CloudOverrides = {}): CloudEndpoints {
  const cloud = inferCloud(host);
  const base = CLOUDS[cloud];
  const trim = (url: string | undefined) => (url ? url.replace(/\/+$/, '') : undefined);
  return {
    cloud,
    authorityHost: trim(overrides.authorityHost) ?? base.authorityHost,
    powerAppsApiUrl: trim(overrides.powerAppsApiUrl) ?? base.powerAppsApiUrl,
    bapApiUrl: trim(overrides.bapApiUrl) ?? base.bapApiUrl,
    powerAppsAudience: overrides.powerAppsAudience?.trim() || base.powerAppsAudience,
  };
}

/** Hosts msal-node already knows; any other authority host must be declared as a known authority. */
export const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

/** Every host of the known clouds (sign-in, admin, BAP, token audience), subdomains of which are Microsoft's too. */
const MICROSOFT_CLOUD_HOSTS: readonly string[] = [
  ...new Set([
    ...MICROSOFT_AUTHORITY_HOSTS,
    ...Object.values(CLOUDS).flatMap((c) => [c.authorityHost, c.powerAppsApiUrl, c.bapApiUrl, c.powerAppsAudience].map((url) => new URL(url).hostname)),
  ]),
];

/** A host an endpoint override may name without `PowerPlatform.AllowCustomEndpoints`: a Microsoft cloud host (or a subdomain) or loopback. */
export function isTrustedEndpointHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (LOOPBACK_HOSTS.has(h)) return true;
  return MICROSOFT_CLOUD_HOSTS.some((known) => h === known || h.endsWith(`.${known}`));
}
