import { ApiName } from './scenario';

/**
 * The separate addresses of the simulated services. The main URL serves every family (one host
 * for the demo and the CLI); each of these serves one family only, so a client that sends a
 * request to the wrong base URL gets a 404 (logged) instead of a lucky answer.
 */
export interface SimulatorUrls {
  /** Entra ID: openid configuration, instance discovery and the token endpoint. */
  authority: string;
  /** The Dataverse environment URL (Web API under /api/data/v9.2). */
  dataverse: string;
  /** The Power Apps admin API (PowerPlatform.PowerAppsApiUrl). */
  admin: string;
  /** The BAP API (PowerPlatform.BapApiUrl). */
  bap: string;
  /** The Azure DevOps job OIDC token route (System.OidcRequestUri). */
  oidc: string;
  /** The managed identity (IMDS) endpoint (AZURE_POD_IDENTITY_AUTHORITY_HOST). */
  imds: string;
}

export type ApiFamily = keyof SimulatorUrls;

export const API_FAMILIES: readonly ApiFamily[] = ['authority', 'dataverse', 'admin', 'bap', 'oidc', 'imds'];

export function classify(path: string): ApiName {
  if (/^\/api\/data\/v9\.\d\//i.test(path)) return 'dataverse';
  if (/^\/[^/]+\/oauth2\/v2\.0\/token\/?$/i.test(path)) return 'token';
  if (/\/\.well-known\/openid-configuration$/i.test(path) || /\/discovery\/instance$/i.test(path) || /\/discovery\/v2\.0\/keys$/i.test(path)) return 'token';
  if (/\/oidctoken$/i.test(path)) return 'oidc';
  if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(path)) return 'imds';
  if (/^\/providers\/Microsoft\.PowerApps\//i.test(path)) return 'admin';
  if (/^\/providers\/Microsoft\.BusinessAppPlatform\//i.test(path)) return 'bap';
  return 'other';
}

/** The family (and so the address) that serves an API; `other` belongs to none. */
export function familyOf(api: ApiName): ApiFamily | undefined {
  if (api === 'token') return 'authority';
  return api === 'other' ? undefined : api;
}
