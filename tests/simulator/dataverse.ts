import * as crypto from 'crypto';
import { DataverseError, badQuery, notFound, QUERY_ERROR } from './errors';
import { runFetchXml } from './fetchxml';
import { checkActivation, checkBinding } from './flow-rules';
import { Claims, JwtSigner, nowSeconds } from './jwt';
import { COMPONENT_TYPE_WORKFLOW, EDM, ENTITIES, ENTITY_BY_SET, EntityDef, STAGE_RUN_STATUS } from './metadata';
import { compileFilter, contextSuffix, etagOf, ExpandItem, parseExpand, parsePrefer, Prefer, projectRow, sortRows, validateSelect } from './odata-query';
import { ScenarioLatency } from './scenario';
import { Row, SimulatorState, flowStateName } from './store';
import { Transients } from './transient';
import { Headers, isGuid, isoNow, lowerHex, SimResponse, sleep } from './util';

export interface Principal {
  oid: string;
  appid?: string;
  claims: Claims;
  user: Row;
}

export interface OpRequest {
  method: string;
  /** the part after /api/data/v9.x/, e.g. `workflows(<id>)` */
  resource: string;
  /** raw query string without `?` */
  query: string;
  headers: Headers;
  bodyText?: string;
}

export interface OpResult extends SimResponse {
  effectiveUser?: string;
  body?: unknown;
}

const AUTH_ERROR = '0x80048306';

function oDataHeaders(extra?: Headers): Headers {
  return { 'OData-Version': '4.0', ...extra };
}

function ok(status: number, body: unknown, extra?: Headers): OpResult {
  return { status, body, headers: oDataHeaders(body === undefined ? extra : { 'Content-Type': 'application/json; odata.metadata=minimal', ...extra }) };
}

function parseQuery(raw: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!raw) return m;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    m.set(k, v);
  }
  return m;
}

interface ParsedResource {
  name: string;
  key?: string;
  rest?: string;
}

function parseResource(resource: string): ParsedResource {
  const m = /^([A-Za-z_$][\w.$]*)(?:\((.*?)\))?(?:\/(.*))?$/.exec(resource);
  if (!m) throw new DataverseError(404, QUERY_ERROR, `Resource not found for the segment '${resource}'.`);
  return { name: m[1], key: m[2], rest: m[3] };
}

export class Dataverse {
  readonly baseUrl: string;

  constructor(
    private readonly state: SimulatorState,
    private readonly signer: JwtSigner,
    private readonly url: string,
    private readonly maxPageSize: number,
    private readonly latency: ScenarioLatency,
    private readonly transients: Transients = new Transients(),
  ) {
    this.baseUrl = `${url}/api/data/v9.2`;
  }

  /** Bearer check (audience = the environment URL) and mapping of the token's oid to a systemuser. */
  authenticate(headers: Headers): Principal | SimResponse {
    const auth = headers.authorization ?? '';
    const challenge = `Bearer authorization_uri=${this.url}/${this.state.tenantId}/oauth2/authorize, resource_id=${this.url}/`;
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m) {
      return new DataverseError(401, AUTH_ERROR, 'The request is not authenticated: no bearer token was sent.', undefined, { 'WWW-Authenticate': challenge }).toResponse();
    }
    const claims = this.signer.verify(m[1].trim());
    if (!claims) {
      return new DataverseError(401, AUTH_ERROR, 'The access token is invalid.', undefined, {
        'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is invalid."',
      }).toResponse();
    }
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds()) return this.expired();
    if (String(claims.aud).replace(/\/$/, '').toLowerCase() !== this.url.toLowerCase()) {
      return new DataverseError(401, AUTH_ERROR, `The access token audience '${String(claims.aud)}' is not valid for this environment ('${this.url}').`, undefined, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="The audience is invalid.", authorization_uri=${this.url}/${this.state.tenantId}/oauth2/authorize, resource_id=${this.url}/`,
      }).toResponse();
    }
    const oid = String(claims.oid ?? '').toLowerCase();
    const user = this.state.userByObjectId(oid);
    if (!user) {
      // guess: what the Web API answers for a principal without a systemuser
      return new DataverseError(403, '0x80072560', 'The user is not a member of the organization.').toResponse();
    }
    if (user.isdisabled) return this.disabled(user).toResponse();
    return { oid, appid: typeof claims.appid === 'string' ? claims.appid : undefined, claims, user };
  }

  expired(): SimResponse {
    return new DataverseError(401, AUTH_ERROR, 'The access token is expired.', undefined, {
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is expired."',
    }).toResponse();
  }

  private disabled(user: Row): DataverseError {
    return new DataverseError(
      400,
      '0x80040225',
      `The user with SystemUserId=${String(user.systemuserid)} in OrganizationContext=${this.state.organizationId} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license assigned to them.`,
    );
  }

  /** dataverse-facts §3: CallerObjectId (Entra object id) or MSCRMCallerID (systemuserid). */
  private effectiveUser(p: Principal, headers: Headers): { user: Row; impersonating: boolean } {
    const coid = headers.callerobjectid?.trim();
    const scid = headers.mscrmcallerid?.trim();
    if (!coid && !scid) return { user: p.user, impersonating: false };
    if (coid ? coid.toLowerCase() === p.oid : scid?.toLowerCase() === p.user.systemuserid) return { user: p.user, impersonating: false };
    if (!this.state.scenarioUser(p.oid)?.canActOnBehalf) {
      throw new DataverseError(403, '0x8004A110', 'User does not have the privilege to act on behalf another user.');
    }
    const id = (coid ?? scid) as string;
    if (!isGuid(id)) throw new DataverseError(400, '0x80040203', `Invalid ${coid ? 'CallerObjectId' : 'MSCRMCallerID'} header value '${id}'.`);
    const target = coid ? this.state.userByObjectId(id) : this.state.userById(id);
    if (!target) {
      // guess: the documentation does not say what an unknown impersonated user gives
      throw new DataverseError(404, '0x80040217', coid ? `Entity 'systemuser' With AzureActiveDirectoryObjectId = ${id.toLowerCase()} Does Not Exist` : `Entity 'systemuser' With Id = ${id.toLowerCase()} Does Not Exist`);
    }
    if (target.isdisabled) throw this.disabled(target);
    return { user: target, impersonating: true };
  }

  isActivation(req: OpRequest): boolean {
    if (req.method !== 'PATCH' || !/^workflows\(/i.test(req.resource)) return false;
    try {
      return (JSON.parse(req.bodyText ?? '{}') as { statecode?: unknown }).statecode === 1;
    } catch {
      return false;
    }
  }

  latencyFor(req: OpRequest): number {
    if (req.method === 'GET') return this.latency.readMs ?? 0;
    if (this.isActivation(req)) {
      const drawn = this.transients.activationLatency(/^workflows\(([^)]*)\)/i.exec(req.resource)?.[1] ?? '');
      return drawn ?? this.latency.activationMs ?? this.latency.writeMs ?? 0;
    }
    return this.latency.writeMs ?? 0;
  }

  /** One Web API operation (a top-level request or a `$batch` part), latency included. */
  async execute(p: Principal, req: OpRequest, contentIds?: Map<string, string>): Promise<OpResult> {
    let effective: string | undefined;
    try {
      this.transients.beforeOperation(req.method, req.resource, req.query, req.bodyText);
      await sleep(this.latencyFor(req));
      // scenario switch: Dataverse may ignore an impersonation it cannot honour and act as the caller (dataverse-facts Corrections)
      const ignored = this.state.scenario.ignoreCallerObjectIdForActivation === true && this.isActivation(req);
      const { user, impersonating } = ignored ? { user: p.user, impersonating: false } : this.effectiveUser(p, req.headers);
      effective = String(user.azureactivedirectoryobjectid);
      const r = this.dispatch(p, user, impersonating, req, contentIds);
      r.effectiveUser = effective;
      return r;
    } catch (e) {
      if (e instanceof DataverseError) return { ...e.toResponse(), headers: oDataHeaders(e.headers), effectiveUser: effective };
      throw e;
    }
  }

  private dispatch(p: Principal, user: Row, impersonating: boolean, req: OpRequest, contentIds?: Map<string, string>): OpResult {
    let resource = req.resource;
    if (contentIds && resource.startsWith('$')) {
      const m = /^\$(\w+)(.*)$/.exec(resource);
      const ref = m ? contentIds.get(m[1]) : undefined;
      if (!m || !ref) throw badQuery(`Content-ID Reference: '$${m ? m[1] : resource}' does not exist in the batch context.`);
      resource = ref + m[2];
    }
    const query = parseQuery(req.query);
    const prefer = parsePrefer(req.headers.prefer);
    const r = parseResource(resource);
    const method = req.method.toUpperCase();

    if (/^WhoAmI$/i.test(r.name) && method === 'GET') {
      return ok(200, {
        '@odata.context': `${this.baseUrl}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: this.state.businessUnitId,
        UserId: user.systemuserid,
        OrganizationId: this.state.organizationId,
      });
    }
    if (/^RetrieveCurrentOrganization$/i.test(r.name) && method === 'GET') return this.currentOrganization(r.key, query);
    if (r.name === 'UpdateApprovalStatus') {
      if (method !== 'POST') throw new DataverseError(405, '0x80040315', 'This action is not supported.');
      return this.updateApprovalStatus(p, user, impersonating, req);
    }
    if (r.name === 'EntityDefinitions' && method === 'GET') return this.entityDefinitions(r.key, query);

    const entity = ENTITY_BY_SET[r.name];
    if (!entity) throw new DataverseError(404, QUERY_ERROR, `Resource not found for the segment '${r.name}'.`);
    if (r.rest) throw badQuery(`The path segment '${r.rest}' is not supported by the simulator.`);

    if (r.key === undefined) {
      if (method === 'GET') return this.list(entity, query, prefer, req);
      if (method === 'POST') return this.create(entity, p, user, impersonating, req, prefer, query);
      throw new DataverseError(405, '0x80040315', 'This action is not supported.');
    }
    const id = this.resolveKey(entity, r.key);
    if (method === 'GET') return this.retrieve(entity, id, query, prefer, req.headers);
    if (method === 'PATCH') return this.update(entity, id, p, user, impersonating, req, prefer, query);
    if (method === 'DELETE') return this.remove(entity, id, req.headers);
    throw new DataverseError(405, '0x80040315', 'This action is not supported.');
  }

  private resolveKey(entity: EntityDef, key: string): string {
    const k = key.trim().replace(/^\{(.*)\}$/, '$1');
    if (isGuid(k)) return k.toLowerCase();
    const m = /^(\w+)\s*=\s*'((?:[^']|'')*)'$/.exec(k);
    if (m && entity.alternateKeys.includes(m[1])) {
      const want = m[2].replace(/''/g, "'").toLowerCase();
      for (const [id, row] of this.state.table(entity.logicalName)) if (String(row[m[1]]).toLowerCase() === want) return id;
      throw new DataverseError(404, '0x80040217', `A record with the specified key values does not exist in ${entity.logicalName} entity`);
    }
    throw badQuery(`Bad Request - Error in query syntax. The key '${key}' is not a valid key for entity set '${entity.setName}'.`);
  }

  private list(entity: EntityDef, query: Map<string, string>, prefer: Prefer, req: OpRequest): OpResult {
    const fetchXml = query.get('fetchXml');
    if (fetchXml !== undefined) {
      const r = runFetchXml(this.state, entity, fetchXml, prefer, this.baseUrl);
      return ok(200, r.body, r.preferenceApplied ? { 'Preference-Applied': r.preferenceApplied } : undefined);
    }
    for (const k of query.keys()) {
      if (k.startsWith('$') && !['$select', '$filter', '$orderby', '$top', '$expand', '$count', '$skiptoken'].includes(k)) {
        throw badQuery(`The query parameter ${k} is not supported`);
      }
    }
    const select = query.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    validateSelect(entity, select);
    const expand: ExpandItem[] | undefined = query.has('$expand') ? parseExpand(query.get('$expand') as string) : undefined;
    let rows = [...this.state.table(entity.logicalName).values()];
    const filter = query.get('$filter');
    if (filter !== undefined) {
      const f = compileFilter(this.state, entity, filter);
      rows = rows.filter(f);
    }
    rows = sortRows(entity, rows, query.get('$orderby'));
    const total = rows.length;

    const applied: string[] = [];
    let pageSize = this.maxPageSize;
    if (prefer.maxPageSize !== undefined) {
      pageSize = Math.min(prefer.maxPageSize, this.maxPageSize);
      applied.push(`odata.maxpagesize=${pageSize}`);
    } else if (query.has('$top')) {
      const top = Number(query.get('$top'));
      if (!Number.isInteger(top) || top < 0) throw badQuery(`Invalid value '${query.get('$top')}' for $top query option found.`);
      rows = rows.slice(0, top);
    }
    if (prefer.includeAnnotations !== undefined) applied.push(`odata.include-annotations="${prefer.includeAnnotations}"`);

    let page = 1;
    const token = query.get('$skiptoken');
    if (token !== undefined) {
      const m = /pagenumber="(\d+)"/.exec(token);
      if (!m) throw badQuery('The $skiptoken is not valid.');
      page = Number(m[1]);
    }
    const slice = rows.slice((page - 1) * pageSize, page * pageSize);
    const body: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl}/$metadata#${entity.setName}${contextSuffix(select, expand)}`,
    };
    if ((query.get('$count') ?? '').toLowerCase() === 'true') {
      body['@odata.count'] = Math.min(total, 5000);
      if (total > 5000) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = true;
    }
    body.value = slice.map((row) => projectRow(this.state, entity, row, select, prefer, expand));
    if (rows.length > page * pageSize) {
      const last = slice[slice.length - 1]?.[entity.primaryId] as string;
      const first = slice[0]?.[entity.primaryId] as string;
      const inner = `<cookie page="${page}"><${entity.primaryId} last="{${last.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
      const cookie = `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(lowerHex(encodeURIComponent(inner)))}" istracking="False" />`;
      const kept = req.query.split('&').filter((x) => x && !/^(\$|%24)skiptoken=/i.test(x));
      kept.push(`$skiptoken=${encodeURIComponent(cookie)}`);
      body['@odata.nextLink'] = `${this.baseUrl}/${entity.setName}?${kept.join('&')}`;
    }
    return ok(200, body, applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : undefined);
  }

  private retrieve(entity: EntityDef, id: string, query: Map<string, string>, prefer: Prefer, headers: Headers): OpResult {
    const row = this.state.table(entity.logicalName).get(id);
    if (!row) throw notFound(entity.logicalName, id);
    const select = query.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    validateSelect(entity, select);
    const expand = query.has('$expand') ? parseExpand(query.get('$expand') as string) : undefined;
    const inm = headers['if-none-match'];
    if (inm && inm !== 'null' && inm === etagOf(row) && !expand && prefer.includeAnnotations === undefined) {
      return { status: 304, headers: oDataHeaders() };
    }
    const body = {
      '@odata.context': `${this.baseUrl}/$metadata#${entity.setName}${contextSuffix(select, expand)}/$entity`,
      ...projectRow(this.state, entity, row, select, prefer, expand),
    };
    return ok(200, body, prefer.includeAnnotations !== undefined ? { 'Preference-Applied': `odata.include-annotations="${prefer.includeAnnotations}"` } : undefined);
  }

  /** Payload → column changes, with the Web API's errors for unknown properties and bad binds. */
  private changesFrom(entity: EntityDef, bodyText: string | undefined): Row {
    let body: unknown;
    try {
      body = JSON.parse(bodyText && bodyText.trim() !== '' ? bodyText : '{}');
    } catch {
      throw badQuery('The request body is not valid JSON.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badQuery('The request body must be a JSON object.');
    const changes: Row = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const at = key.indexOf('@');
      if (at >= 0) {
        const prop = key.slice(0, at);
        if (key.slice(at) !== '@odata.bind') continue;
        const lookup = entity.lookups.find((l) => l.nav === prop && l.writable);
        if (!lookup) {
          throw badQuery(
            `An undeclared property '${prop}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
          );
        }
        if (value === null) {
          changes[lookup.column] = null;
          continue;
        }
        const target = ENTITIES[lookup.target];
        const m = typeof value === 'string' ? /(?:^|\/)([A-Za-z_]\w*)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(value) : null;
        if (!m || m[1] !== target.setName) {
          throw badQuery(`The value '${String(value)}' of '${key}' is not a valid reference to an entity of type 'Microsoft.Dynamics.CRM.${target.logicalName}'.`);
        }
        const tid = m[2].toLowerCase();
        if (!this.state.table(target.logicalName).has(tid)) throw notFound(target.logicalName, tid);
        changes[lookup.column] = tid;
        continue;
      }
      const type = entity.columns[key];
      if (!type || key.startsWith('_') || ['versionnumber', 'createdon', 'modifiedon'].includes(key)) {
        throw badQuery(
          `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'. Make sure to only use property names that are defined by the type.`,
        );
      }
      if (value !== null) {
        const okType =
          (type === 'int' && Number.isInteger(value)) ||
          (type === 'bool' && typeof value === 'boolean') ||
          ((type === 'string' || type === 'datetime') && typeof value === 'string') ||
          (type === 'guid' && isGuid(value));
        if (!okType) throw badQuery(`Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${EDM[type]}'.`);
      }
      changes[key] = type === 'guid' && typeof value === 'string' ? value.toLowerCase() : value;
    }
    return changes;
  }

  private stamp(row: Row, user: Row, impersonating: boolean, caller: Row): void {
    row.modifiedon = isoNow();
    row._modifiedby_value = user.systemuserid;
    row._modifiedonbehalfby_value = impersonating ? caller.systemuserid : null;
    row.versionnumber = this.state.nextVersion();
  }

  private checkIfMatch(row: Row | undefined, headers: Headers, entity: EntityDef, id: string): Row {
    const ifMatch = headers['if-match'];
    if (!row) throw notFound(entity.logicalName, id);
    if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row)) {
      throw new DataverseError(412, '0x80060882', "The version of the existing record doesn't match the RowVersion property provided.");
    }
    if (headers['if-none-match'] === '*') {
      throw new DataverseError(412, '0x80040237', 'A record with matching key values already exists.');
    }
    return row;
  }

  private update(entity: EntityDef, id: string, p: Principal, user: Row, impersonating: boolean, req: OpRequest, prefer: Prefer, query: Map<string, string>): OpResult {
    if (!entity.writable) throw new DataverseError(405, '0x80040315', 'This action is not supported.');
    const row = this.checkIfMatch(this.state.table(entity.logicalName).get(id), req.headers, entity, id);
    const changes = this.changesFrom(entity, req.bodyText);
    delete changes[entity.primaryId];
    let activated = false;
    let deactivated = false;
    const ownerBefore = row._ownerid_value;
    const stateBefore = row.statecode;
    if (entity.logicalName === 'workflow' && typeof changes._ownerid_value === 'string' && changes._ownerid_value !== ownerBefore) {
      this.checkFlowAssignment(row, changes._ownerid_value);
    }

    if (entity.logicalName === 'connectionreference' && typeof changes.connectionid === 'string' && changes.connectionid !== '') {
      checkBinding(this.state, row, changes.connectionid, user);
    }
    if (entity.logicalName === 'workflow' && ('statecode' in changes || 'statuscode' in changes)) {
      const state = (changes.statecode ?? row.statecode) as number;
      const status = (changes.statuscode ?? ('statecode' in changes ? state + 1 : row.statuscode)) as number;
      if (![0, 1, 2].includes(state) || status !== state + 1) {
        // guess: code and wording for an invalid state/status pair
        throw new DataverseError(400, '0x80040203', `${status} is not a valid status code for state code ${state} on workflow with Id ${id}.`);
      }
      changes.statecode = state;
      changes.statuscode = status;
      if (state === 1 && row.statecode !== 1) {
        checkActivation(this.state, row, user);
        this.transients.checkChildPublication(row);
        activated = true;
      } else if (state !== 1 && row.statecode === 1) {
        deactivated = true;
      }
    }
    if (entity.logicalName === 'deploymentstagerun' && typeof changes.deploymentsettingsjson === 'string') {
      try {
        JSON.parse(changes.deploymentsettingsjson);
      } catch {
        // guess: the platform's validation of this column is undocumented
        throw badQuery('deploymentsettingsjson must be a JSON document.');
      }
    }

    Object.assign(row, changes);
    this.stamp(row, user, impersonating, p.user);
    if (activated) {
      const rec = {
        workflowId: id,
        name: String(row.name),
        by: String(user.azureactivedirectoryobjectid),
        caller: p.oid,
        at: isoNow(),
      };
      this.state.activations.set(id, rec);
      this.state.activationHistory.push(rec);
      this.transients.activated(id);
    }
    if (deactivated) this.state.activations.delete(id);
    if (entity.logicalName === 'workflow') this.recordFlowEvents(row, ownerBefore, stateBefore, user);
    const entityId = `${this.baseUrl}/${entity.setName}(${id})`;
    if (prefer.returnRepresentation) {
      const select = query.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
      validateSelect(entity, select);
      return ok(200, {
        '@odata.context': `${this.baseUrl}/$metadata#${entity.setName}${contextSuffix(select, undefined)}/$entity`,
        ...projectRow(this.state, entity, row, select, prefer, undefined),
      }, { 'Preference-Applied': 'return=representation', 'OData-EntityId': entityId });
    }
    return ok(204, undefined, { 'OData-EntityId': entityId });
  }

  /**
   * Assigning a flow (`ownerid@odata.bind`): refused for a disabled user (the documented disabled-user
   * message, dataverse-facts §3; applying it to assignment is a guess) and for a flow that is on
   * (observed by the ALM Accelerator's maintainers, who set the owner before turning flows on; not
   * documented: status, code and wording are guesses).
   */
  private checkFlowAssignment(row: Row, newOwnerId: string): void {
    const target = this.state.userById(newOwnerId);
    if (target?.isdisabled) throw this.disabled(target);
    if (row.statecode === 1) {
      throw new DataverseError(
        400,
        '0x80040203',
        `The owner of workflow '${String(row.name)}' (${String(row.workflowid)}) cannot be changed while it is activated. Deactivate the flow before assigning it to another user.`,
      );
    }
  }

  private recordFlowEvents(row: Row, ownerBefore: unknown, stateBefore: unknown, user: Row): void {
    const base = { workflowId: String(row.workflowid), name: String(row.name), by: String(user.azureactivedirectoryobjectid), at: isoNow() };
    const oid = (systemuserid: unknown) => String(this.state.userById(String(systemuserid ?? ''))?.azureactivedirectoryobjectid ?? systemuserid ?? '');
    if (row._ownerid_value !== ownerBefore) this.state.flowHistory.push({ ...base, kind: 'owner', from: oid(ownerBefore), to: oid(row._ownerid_value) });
    if (row.statecode !== stateBefore) this.state.flowHistory.push({ ...base, kind: 'state', from: flowStateName(stateBefore), to: flowStateName(row.statecode) });
  }

  private create(entity: EntityDef, p: Principal, user: Row, impersonating: boolean, req: OpRequest, prefer: Prefer, query: Map<string, string>): OpResult {
    if (!entity.writable) throw new DataverseError(405, '0x80040315', 'This action is not supported.');
    const changes = this.changesFrom(entity, req.bodyText);
    const id = (changes[entity.primaryId] as string | undefined) ?? crypto.randomUUID();
    const table = this.state.table(entity.logicalName);
    if (table.has(id)) throw new DataverseError(412, '0x80040237', 'A record with matching key values already exists.');
    if (entity.logicalName === 'workflow') {
      if (changes.statecode === 1) throw new DataverseError(400, '0x80040203', 'A new flow must be created in the Draft state.');
      changes.statecode ??= 0;
      changes.statuscode ??= 1;
      changes.workflowidunique = crypto.randomUUID();
      changes.category ??= 5;
      changes.type ??= 1;
    }
    if (entity.logicalName === 'connectionreference') {
      if (typeof changes.connectionid === 'string' && changes.connectionid !== '') {
        checkBinding(this.state, changes, changes.connectionid, user);
      }
      changes.statecode ??= 0;
      changes.statuscode ??= 1;
    }
    if (entity.logicalName === 'environmentvariablevalue') {
      const defId = changes._environmentvariabledefinitionid_value as string | undefined;
      if (!defId) throw badQuery('An environment variable value must reference its definition (EnvironmentVariableDefinitionId@odata.bind).');
      const def = this.state.table('environmentvariabledefinition').get(defId) as Row;
      changes.schemaname ??= def.schemaname;
      changes.statecode ??= 0;
      changes.statuscode ??= 1;
    }
    const row = this.state.insert(entity, {
      ...changes,
      [entity.primaryId]: id,
      _createdby_value: user.systemuserid,
      _modifiedby_value: user.systemuserid,
      _modifiedonbehalfby_value: impersonating ? p.user.systemuserid : null,
      ...('_ownerid_value' in entity.columns && !changes._ownerid_value ? { _ownerid_value: user.systemuserid } : {}),
    });
    const solutionName = req.headers['mscrm.solutionuniquename'];
    if (solutionName && entity.logicalName === 'workflow') {
      const sol = this.state.solutionByName(solutionName);
      if (sol) {
        this.state.insert(ENTITIES.solutioncomponent, {
          solutioncomponentid: crypto.randomUUID(),
          componenttype: COMPONENT_TYPE_WORKFLOW,
          objectid: id,
          _solutionid_value: sol.solutionid,
          rootcomponentbehavior: 0,
          ismetadata: false,
        });
      }
    }
    const entityId = `${this.baseUrl}/${entity.setName}(${id})`;
    if (prefer.returnRepresentation) {
      const select = query.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
      validateSelect(entity, select);
      return ok(201, {
        '@odata.context': `${this.baseUrl}/$metadata#${entity.setName}${contextSuffix(select, undefined)}/$entity`,
        ...projectRow(this.state, entity, row, select, prefer, undefined),
      }, { 'Preference-Applied': 'return=representation', 'OData-EntityId': entityId, Location: entityId });
    }
    return ok(204, undefined, { 'OData-EntityId': entityId, Location: entityId });
  }

  private remove(entity: EntityDef, id: string, headers: Headers): OpResult {
    if (!entity.writable) throw new DataverseError(405, '0x80040315', 'This action is not supported.');
    const table = this.state.table(entity.logicalName);
    this.checkIfMatch(table.get(id), { ...headers, 'if-none-match': '' }, entity, id);
    table.delete(id);
    if (entity.logicalName === 'environmentvariabledefinition') {
      for (const [vid, v] of this.state.table('environmentvariablevalue')) {
        if (v._environmentvariabledefinitionid_value === id) this.state.table('environmentvariablevalue').delete(vid);
      }
    }
    if (entity.logicalName === 'workflow') this.state.activations.delete(id);
    return ok(204, undefined);
  }

  private currentOrganization(key: string | undefined, query: Map<string, string>): OpResult {
    let access = key ? /AccessType\s*=\s*(.+)$/.exec(key)?.[1]?.trim() : undefined;
    if (access?.startsWith('@')) access = query.get(access);
    const m = access ? /^(?:Microsoft\.Dynamics\.CRM\.EndpointAccessType)?'(Default|Internet|Intranet)'$/.exec(access) : null;
    if (!m) throw badQuery("The parameter 'AccessType' must be a Microsoft.Dynamics.CRM.EndpointAccessType value, e.g. Microsoft.Dynamics.CRM.EndpointAccessType'Default'.");
    const url = this.url;
    return ok(200, {
      '@odata.context': `${this.baseUrl}/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
      Detail: {
        OrganizationId: this.state.organizationId,
        FriendlyName: this.state.environmentDisplayName,
        OrganizationVersion: '9.2.25021.188',
        EnvironmentId: this.state.environmentId,
        DatacenterId: '00000000-0000-0000-0000-000000000000',
        Geo: 'NA',
        TenantId: this.state.tenantId,
        UrlName: 'simulator',
        UniqueName: `unq${this.state.organizationId.replace(/-/g, '').slice(0, 24)}`,
        Endpoints: {
          Count: 3,
          IsReadOnly: false,
          Keys: ['WebApplication', 'OrganizationService', 'OrganizationDataService'],
          Values: [`${url}/`, `${url}/XRMServices/2011/Organization.svc`, `${url}/XRMServices/2011/OrganizationData.svc`],
        },
        State: 'Enabled',
        SchemaType: 'Full',
        OrganizationType: 'Customer',
      },
    });
  }

  private entityDefinitions(key: string | undefined, query: Map<string, string>): OpResult {
    const defs = Object.values(ENTITIES).map((e) => ({
      MetadataId: e.logicalName === 'connectionreference' ? '0a3fa4a4-9a0c-4b71-8f07-aa6d2c7f7a3c' : `00000000-0000-0000-0000-${String(e.objectTypeCode).padStart(12, '0')}`,
      LogicalName: e.logicalName,
      EntitySetName: e.setName,
      PrimaryIdAttribute: e.primaryId,
      PrimaryNameAttribute: e.primaryName,
      ObjectTypeCode: e.logicalName === 'connectionreference' ? this.state.connectionReferenceObjectTypeCode : e.objectTypeCode,
    }));
    const select = query.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    const project = (d: (typeof defs)[number]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d)) if (!select || select.includes(k) || k === 'MetadataId') out[k] = v;
      return out;
    };
    for (const s of select ?? []) {
      if (!(s in defs[0])) throw badQuery(`Could not find a property named '${s}' on type 'Microsoft.Dynamics.CRM.EntityMetadata'.`);
    }
    const ctx = `${this.baseUrl}/$metadata#EntityDefinitions${select ? `(${select.join(',')})` : ''}`;
    if (key !== undefined) {
      const m = /^LogicalName\s*=\s*'([^']*)'$/.exec(key.trim());
      const d = m ? defs.find((x) => x.LogicalName === m[1]) : defs.find((x) => x.MetadataId === key.trim().toLowerCase());
      if (!d) throw new DataverseError(404, '0x80040217', `Could not find entity with key '${key}'.`);
      return ok(200, { '@odata.context': `${ctx}/$entity`, ...project(d) });
    }
    let rows = defs;
    const filter = query.get('$filter');
    if (filter) {
      const m = /^LogicalName\s+eq\s+'([^']*)'$/i.exec(filter.trim());
      if (!m) throw badQuery('The simulator supports only $filter=LogicalName eq \'<name>\' on EntityDefinitions.');
      rows = defs.filter((d) => d.LogicalName === m[1]);
    }
    return ok(200, { '@odata.context': ctx, value: rows.map(project) });
  }

  /** dataverse-facts §7 */
  private updateApprovalStatus(p: Principal, user: Row, impersonating: boolean, req: OpRequest): OpResult {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.bodyText ?? '{}') as Record<string, unknown>;
    } catch {
      throw badQuery('The request body is not valid JSON.');
    }
    const stageRunId = String(body.StageRunId ?? '').toLowerCase();
    if (!isGuid(stageRunId)) throw badQuery("The parameter 'StageRunId' is required and must be a GUID.");
    const status = body.ApprovalStatus;
    if (status !== 20 && status !== 30) throw badQuery("The parameter 'ApprovalStatus' must be 20 (approved) or 30 (rejected).");
    const row = this.state.table('deploymentstagerun').get(stageRunId);
    if (!row) throw notFound('deploymentstagerun', stageRunId);
    const run = this.state.stageRuns.get(stageRunId);
    const approver = run?.approverAppId;
    const isServicePrincipal = !!p.user.applicationid;
    if (impersonating || !isServicePrincipal || (approver && String(p.user.applicationid).toLowerCase() !== approver)) {
      throw new DataverseError(
        403,
        '0x80040220',
        "Delegated deployments of type 'ServicePrincipal' may only be approved or rejected by the Service Principal configured in the deployment stage.",
      );
    }
    if (!run?.pendingApproval) {
      throw new DataverseError(400, '0x80040203', 'Unable to find approval status attribute for stage run record.');
    }
    run.pendingApproval = false;
    row.approvalstatus = status;
    row.approvalcomments = typeof body.ApprovalComments === 'string' ? body.ApprovalComments : null;
    row.approvalproperties = typeof body.ApprovalProperties === 'string' ? body.ApprovalProperties : null;
    row.stagerunstatus = status === 20 ? STAGE_RUN_STATUS.deploying : STAGE_RUN_STATUS.canceled;
    this.stamp(row, user, false, p.user);
    this.state.approvals.push({
      stageRunId,
      approvalStatus: status,
      comments: row.approvalcomments as string | undefined ?? undefined,
      properties: row.approvalproperties as string | undefined ?? undefined,
      by: p.oid,
      at: isoNow(),
    });
    return ok(204, undefined);
  }
}

