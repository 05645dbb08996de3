/**
 * BASELINE — the incumbent's sequential algorithm, re-implemented for comparison only.
 *
 * Written from the published description of the ALM Accelerator's scripts (binding one connection
 * reference at a time; `activate-flows.ps1`): for every configured connection reference it asks the
 * admin API for the connection (to learn its creator), looks the creator up as a system user, and
 * re-reads every workflow of the solution to find the flows whose clientdata mentions the
 * reference; then it turns the flows on one at a time, impersonating the connection's creator
 * (CallerId = systemuserid), in repeated passes over the flows still off until a pass turns none
 * on. It uses plain axios and msal-node, not the extension's HTTP client, and no retries.
 */
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import * as https from 'https';
import { ConfidentialClientApplication, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface BaselineTarget {
  url: string;
  /** PEM of the CA that signed the environment's certificate. */
  ca: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The BAP environment id, which the incumbent takes from a pipeline variable. */
  environmentId: string;
  solutionName: string;
  /** The deployment settings: connection reference logical name → connection id, in file order. */
  settings: Array<{ logicalName: string; connectionId: string; connectorId: string }>;
}

export interface BaselineBudget {
  /** Wall-time budget of the whole baseline; the re-read loop is sampled to stay inside it. */
  budgetMs: number;
  /** Activation attempts the passes are expected to make, and the latency of each. */
  expectedActivationAttempts: number;
  activationMs: number;
  readMs: number;
  startedAt: number;
}

export interface BaselinePhase {
  wallMs: number;
  startedAt: number;
  endedAt: number;
  notes: string[];
  /** Set when part of the re-read loop was extrapolated instead of run. */
  extrapolated?: { measuredLoops: number; totalLoops: number; extraMs: number; extraReads: number };
}

export interface BaselineActivation extends BaselinePhase {
  passes: number;
  activated: number;
  failedAttempts: number;
  stillOff: number;
}

type Progress = (message: string) => void;

const POWERAPPS_RESOURCE = 'https://service.powerapps.com';

class BaselineClient {
  readonly http: AxiosInstance;
  private readonly msal: ConfidentialClientApplication;

  constructor(private readonly target: BaselineTarget) {
    const agent = new https.Agent({ ca: target.ca, keepAlive: true, maxSockets: 8 });
    this.http = axios.create({ httpsAgent: agent, validateStatus: () => true, proxy: false, timeout: 120_000 });
    const http = this.http;
    const networkClient: INetworkModule = {
      async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
        const r = await http.get(url, { headers: options?.headers, responseType: 'json' });
        return { headers: r.headers as Record<string, string>, body: r.data as T, status: r.status };
      },
      async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
        const r = await http.post(url, options?.body, { headers: options?.headers, responseType: 'json' });
        return { headers: r.headers as Record<string, string>, body: r.data as T, status: r.status };
      },
    };
    this.msal = new ConfidentialClientApplication({
      auth: {
        clientId: target.clientId,
        clientSecret: target.clientSecret,
        authority: `${target.url}/${target.tenantId}`,
        knownAuthorities: [new URL(target.url).host],
      },
      system: { networkClient },
    });
  }

  private readonly tokens = new Map<string, { token: string; expiresOn: number }>();

  /** Held like the incumbent's service client holds it, so the baseline pays no sign-in per request. */
  private async token(resource: string): Promise<string> {
    const held = this.tokens.get(resource);
    if (held && held.expiresOn - Date.now() > 5 * 60_000) return held.token;
    const result = await this.msal.acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
    if (!result?.accessToken) throw new Error(`baseline: no token for ${resource}`);
    this.tokens.set(resource, { token: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 30 * 60_000 });
    return result.accessToken;
  }

  async dataverse<T>(method: 'GET' | 'PATCH', path: string, body?: unknown, callerId?: string): Promise<AxiosResponse<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.token(this.target.url)}`,
      Accept: 'application/json',
      'OData-Version': '4.0',
      'OData-MaxVersion': '4.0',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (callerId) headers.MSCRMCallerID = callerId;
    return this.http.request<T>({ method, url: `${this.target.url}/api/data/v9.2/${path}`, headers, data: body === undefined ? undefined : JSON.stringify(body) });
  }

  async dataverseOk<T>(method: 'GET' | 'PATCH', path: string, body?: unknown, callerId?: string): Promise<T> {
    const r = await this.dataverse<T>(method, path, body, callerId);
    if (r.status >= 400) throw new Error(`baseline: ${method} ${path} -> ${r.status} ${JSON.stringify(r.data).slice(0, 300)}`);
    return r.data;
  }

  /** Get-AdminPowerAppConnection for one connection: the per-connector admin listing, then the one named. */
  async adminConnection(connectorId: string, connectionId: string): Promise<{ createdBy?: { id?: string } } | undefined> {
    const connector = connectorId.split('/').pop() as string;
    let url: string | undefined =
      `${this.target.url}/providers/Microsoft.PowerApps/scopes/admin/environments/${this.target.environmentId}/apis/${connector}/connections?api-version=2016-11-01`;
    while (url) {
      const r: AxiosResponse<{ value?: Array<{ name: string; properties: { createdBy?: { id?: string } } }>; nextLink?: string }> = await this.http.get(url, {
        headers: { Authorization: `Bearer ${await this.token(POWERAPPS_RESOURCE)}`, Accept: 'application/json' },
      });
      if (r.status >= 400) throw new Error(`baseline: admin connections -> ${r.status}`);
      const hit = r.data.value?.find((c) => c.name.toLowerCase() === connectionId.toLowerCase());
      if (hit) return hit.properties;
      url = r.data.nextLink;
    }
    return undefined;
  }

  /** One systemuser query per owner (the incumbent maps the creator's object id to systemuserid). */
  async systemUserId(objectId: string, cache: Map<string, string>): Promise<string> {
    const known = cache.get(objectId);
    if (known) return known;
    const r = await this.dataverseOk<{ value: Array<{ systemuserid: string }> }>(
      'GET',
      `systemusers?$filter=azureactivedirectoryobjectid eq ${objectId}&$select=systemuserid`,
    );
    const id = r.value[0]?.systemuserid;
    if (!id) throw new Error(`baseline: no system user for ${objectId}`);
    cache.set(objectId, id);
    return id;
  }

  async ownerOf(setting: BaselineTarget['settings'][number], users: Map<string, string>): Promise<string> {
    const connection = await this.adminConnection(setting.connectorId, setting.connectionId);
    const creator = connection?.createdBy?.id;
    if (!creator) throw new Error(`baseline: connection ${setting.connectionId} not found`);
    return this.systemUserId(creator, users);
  }
}

const quote = (s: string) => s.replace(/'/g, "''");

/** BASELINE binding: one connection reference at a time, each as its connection's creator. */
export async function baselineBind(target: BaselineTarget, progress: Progress): Promise<BaselinePhase> {
  const startedAt = Date.now();
  const client = new BaselineClient(target);
  const users = new Map<string, string>();
  let bound = 0;
  for (const setting of target.settings) {
    const found = await client.dataverseOk<{ value: Array<{ connectionreferenceid: string; connectionid: string | null }> }>(
      'GET',
      `connectionreferences?$filter=connectionreferencelogicalname eq '${quote(setting.logicalName)}'&$select=connectionreferenceid,connectionid`,
    );
    const reference = found.value[0];
    if (!reference) throw new Error(`baseline: connection reference ${setting.logicalName} not found`);
    if (reference.connectionid === setting.connectionId) continue;
    const callerId = await client.ownerOf(setting, users);
    await client.dataverseOk('PATCH', `connectionreferences(${reference.connectionreferenceid})`, { connectionid: setting.connectionId }, callerId);
    bound++;
  }
  const endedAt = Date.now();
  progress(`baseline bind: ${bound} references bound one at a time in ${((endedAt - startedAt) / 1000).toFixed(1)} s`);
  return { wallMs: endedAt - startedAt, startedAt, endedAt, notes: [] };
}

/** BASELINE activation: per reference re-read every flow, then one flow at a time in passes. */
export async function baselineActivate(target: BaselineTarget, budget: BaselineBudget, progress: Progress): Promise<BaselineActivation> {
  const startedAt = Date.now();
  const client = new BaselineClient(target);
  const users = new Map<string, string>();
  const notes: string[] = [];

  const solutions = await client.dataverseOk<{ value: Array<{ solutionid: string }> }>(
    'GET',
    `solutions?$filter=uniquename eq '${quote(target.solutionName)}'&$select=solutionid`,
  );
  const solutionId = solutions.value[0]?.solutionid;
  if (!solutionId) throw new Error(`baseline: solution ${target.solutionName} not found`);
  const components = await client.dataverseOk<{ value: Array<{ objectid: string }> }>(
    'GET',
    `solutioncomponents?$filter=_solutionid_value eq ${solutionId} and componenttype eq 29&$select=objectid`,
  );
  const workflowIds = components.value.map((c) => c.objectid);

  interface Candidate {
    id: string;
    name: string;
    callerId: string;
  }
  const list: Candidate[] = [];
  const listed = new Set<string>();
  // Only used to carry on without the network once the re-read loop is sampled.
  const lastRead = new Map<string, { name: string; statecode: number; clientdata: string }>();
  let measuredLoops = 0;
  let loopMs = 0;
  let extraLoops = 0;

  for (const [index, setting] of target.settings.entries()) {
    const callerId = await client.ownerOf(setting, users);
    const elapsed = Date.now() - budget.startedAt;
    const perLoop = measuredLoops > 0 ? loopMs / measuredLoops : 0;
    // The client and local overhead per request seen so far, applied to the passes still to come.
    const overhead = measuredLoops > 0 && workflowIds.length > 0 ? Math.max(0, perLoop / workflowIds.length - budget.readMs) : 2;
    const passesMs = budget.expectedActivationAttempts * (budget.activationMs + overhead);
    const sample = measuredLoops > 0 && elapsed + perLoop + passesMs > budget.budgetMs;
    const loopStart = Date.now();
    for (const id of workflowIds) {
      let flow = lastRead.get(id);
      if (!sample) {
        flow = await client.dataverseOk<{ name: string; statecode: number; clientdata: string }>('GET', `workflows(${id})?$select=name,statecode,clientdata`);
        lastRead.set(id, flow);
      }
      if (!flow || listed.has(id) || flow.statecode === 1) continue;
      if (String(flow.clientdata ?? '').includes(setting.logicalName)) {
        listed.add(id);
        list.push({ id, name: flow.name, callerId });
      }
    }
    if (sample) {
      extraLoops++;
    } else {
      measuredLoops++;
      loopMs += Date.now() - loopStart;
      progress(
        `baseline activate: re-read ${workflowIds.length} flows for reference ${index + 1}/${target.settings.length} ` +
          `(${(loopMs / measuredLoops / 1000).toFixed(1)} s a reference, ${((Date.now() - startedAt) / 1000).toFixed(0)} s so far)`,
      );
    }
  }
  const perLoop = measuredLoops > 0 ? loopMs / measuredLoops : 0;
  const extrapolated =
    extraLoops > 0
      ? { measuredLoops, totalLoops: target.settings.length, extraMs: Math.round(perLoop * extraLoops), extraReads: extraLoops * workflowIds.length }
      : undefined;
  if (extrapolated) {
    notes.push(
      `re-read loop run for ${measuredLoops} of ${target.settings.length} references to stay in the time budget; the other ${extraLoops} ` +
        `(${extrapolated.extraReads} reads, ${(extrapolated.extraMs / 1000).toFixed(1)} s at the measured ${(perLoop / 1000).toFixed(2)} s each) are extrapolated`,
    );
    progress(`baseline activate: ${notes[notes.length - 1]}`);
  }

  let remaining = list;
  let passes = 0;
  let activated = 0;
  let failedAttempts = 0;
  for (;;) {
    passes++;
    const next: Candidate[] = [];
    let progressMade = false;
    for (const flow of remaining) {
      const r = await client.dataverse('PATCH', `workflows(${flow.id})`, { statecode: 1, statuscode: 2 }, flow.callerId);
      if (r.status < 300) {
        activated++;
        progressMade = true;
      } else {
        failedAttempts++;
        next.push(flow);
      }
    }
    progress(`baseline activate: pass ${passes}: ${remaining.length - next.length} of ${remaining.length} turned on (${((Date.now() - startedAt) / 1000).toFixed(0)} s so far)`);
    remaining = next;
    if (!progressMade || remaining.length === 0) break;
  }
  const endedAt = Date.now();
  return {
    wallMs: endedAt - startedAt + (extrapolated?.extraMs ?? 0),
    startedAt,
    endedAt,
    notes,
    extrapolated,
    passes,
    activated,
    failedAttempts,
    stillOff: remaining.length,
  };
}
