import * as crypto from 'crypto';
import { COMPONENT_TYPE_ENV_VAR_DEFINITION, COMPONENT_TYPE_WORKFLOW, ENTITIES, EntityDef, STAGE_RUN_STATUS } from './metadata';
import { Scenario, ScenarioConnection, ScenarioFlow } from './scenario';
import { isoNow, stableGuid } from './util';

export type Row = Record<string, unknown>;

export interface ActivationRecord {
  workflowId: string;
  name: string;
  /** Entra object id of the effective user who turned the flow on */
  by: string;
  /** the token's principal (differs from `by` when impersonating) */
  caller?: string;
  /** ISO time */
  at: string;
  seeded?: boolean;
}

/** One change of a flow's owner or state, in the order the simulator made them. */
export interface FlowEvent {
  kind: 'owner' | 'state';
  workflowId: string;
  name: string;
  /** owner: Entra object ids; state: `on`, `off`, `suspended` */
  from: string;
  to: string;
  /** Entra object id of the effective user; `import` for a simulated import */
  by: string;
  at: string;
}

export type FlowStateName = 'on' | 'off' | 'suspended';

export function flowStateName(statecode: unknown): FlowStateName {
  return statecode === 1 ? 'on' : statecode === 2 ? 'suspended' : 'off';
}

/** What a solution import did to the flows: see `SimulatorState.simulateImport`. */
export interface SimulatedImport {
  /** flows (name or id) the import turned on */
  turnOn?: string[];
  /** flows the import turned off */
  turnOff?: string[];
  /** flows the platform suspended */
  suspend?: string[];
  /** flows the import added (new in this version); their `statecode` as given, default off; owned by the importer unless `ownerObjectId` says otherwise */
  addFlows?: ScenarioFlow[];
  /** Entra object id of the importing identity (recorded as who turned flows on); default the first application user */
  by?: string;
}

export interface ApprovalRecord {
  stageRunId: string;
  approvalStatus: number;
  comments?: string;
  properties?: string;
  /** Entra object id of the caller */
  by: string;
  at: string;
}

export interface ConnectionState extends ScenarioConnection {
  createdTime: string;
}

export interface StageRunState {
  id: string;
  pendingApproval: boolean;
  approverAppId?: string;
}

export interface SimStateSnapshot {
  tenantId: string;
  organizationId: string;
  environmentId: string;
  flows: { id: string; name: string; statecode: number; statuscode: number; state: FlowStateName; owner?: string; activatedBy?: string; activatedByUpn?: string; activatedAt?: string }[];
  connectionReferences: { id: string; logicalName: string; connectorId: string; connectionid: string | null; modifiedBy?: string }[];
  environmentVariables: { schemaName: string; type: number; defaultValue: string | null; value: string | null }[];
  stageRuns: { id: string; deploymentsettingsjson: string; pendingApproval: boolean; approvalStatus?: number; approvalComments?: string; approvedBy?: string }[];
  connections: { name: string; connector: string; status: string; createdBy: string; sharedWith: string[] }[];
}

/** The live in-memory store behind every API of the simulator. */
export class SimulatorState {
  readonly tenantId: string;
  readonly organizationId: string;
  readonly environmentId: string;
  readonly environmentDisplayName: string;
  readonly businessUnitId: string;
  readonly connectionReferenceObjectTypeCode: number;
  /** rows by entity logical name, then by lowercase primary id */
  tables: Record<string, Map<string, Row>> = {};
  connections: ConnectionState[];
  /** current activation of each flow that is on, by workflowid */
  activations = new Map<string, ActivationRecord>();
  /** every successful activation, in order */
  activationHistory: ActivationRecord[] = [];
  approvals: ApprovalRecord[] = [];
  /** every owner and state change of a flow made through the API or `simulateImport`, in order */
  flowHistory: FlowEvent[] = [];
  stageRuns = new Map<string, StageRunState>();
  private rowVersion = 1000;

  constructor(readonly scenario: Scenario) {
    this.tenantId = scenario.tenantId.toLowerCase();
    this.organizationId = (scenario.organizationId ?? stableGuid('organization', scenario.tenantId)).toLowerCase();
    this.environmentId = scenario.environmentId ?? stableGuid('environment', this.organizationId);
    this.environmentDisplayName = scenario.environmentDisplayName ?? 'Simulated environment';
    this.businessUnitId = stableGuid('businessunit', this.organizationId);
    this.connectionReferenceObjectTypeCode =
      scenario.connectionReferenceObjectTypeCode ?? 10000 + (crypto.createHash('sha1').update(this.organizationId).digest().readUInt16BE(0) % 300);
    for (const e of Object.values(ENTITIES)) this.tables[e.logicalName] = new Map();
    const created = isoNow();
    this.connections = (scenario.connections ?? []).map((c) => ({ ...c, sharedWith: [...(c.sharedWith ?? [])], createdTime: created }));
    this.seed();
  }

  nextVersion(): number {
    return ++this.rowVersion;
  }

  table(logicalName: string): Map<string, Row> {
    return this.tables[logicalName];
  }

  insert(entity: EntityDef, values: Row): Row {
    const row: Row = {};
    for (const col of Object.keys(entity.columns)) row[col] = null;
    const now = isoNow();
    Object.assign(row, { createdon: now, modifiedon: now }, values, { versionnumber: this.nextVersion() });
    const id = String(row[entity.primaryId]).toLowerCase();
    row[entity.primaryId] = id;
    this.tables[entity.logicalName].set(id, row);
    return row;
  }

  userByObjectId(oid: string | undefined): Row | undefined {
    if (!oid) return undefined;
    const want = oid.toLowerCase();
    for (const u of this.tables.systemuser.values()) if (u.azureactivedirectoryobjectid === want) return u;
    return undefined;
  }

  userById(id: string | undefined): Row | undefined {
    return id ? this.tables.systemuser.get(id.toLowerCase()) : undefined;
  }

  scenarioUser(oid: string | undefined): Scenario['users'][number] | undefined {
    if (!oid) return undefined;
    return this.scenario.users.find((u) => u.objectId.toLowerCase() === oid.toLowerCase());
  }

  /** The connections of another environment (a deployment environment's), for the admin listing; undefined when unknown. */
  connectionsOfEnvironment(environmentId: string): ConnectionState[] | undefined {
    const want = environmentId.toLowerCase();
    const target = (this.scenario.deploymentEnvironments ?? []).find((d) => d.environmentId.toLowerCase() === want && d.connections);
    return target?.connections?.map((c) => ({ ...c, sharedWith: [...(c.sharedWith ?? [])], createdTime: '2026-01-01T00:00:00Z' }));
  }

  connection(name: string): ConnectionState | undefined {
    const want = name.toLowerCase();
    return this.connections.find((c) => c.name.toLowerCase() === want);
  }

  solutionByName(uniqueName: string): Row | undefined {
    const want = uniqueName.toLowerCase();
    for (const s of this.tables.solution.values()) if (String(s.uniquename).toLowerCase() === want) return s;
    return undefined;
  }

  flow(nameOrId: string): Row | undefined {
    const want = nameOrId.toLowerCase();
    const byId = this.tables.workflow.get(want);
    if (byId) return byId;
    for (const w of this.tables.workflow.values()) if (String(w.name).toLowerCase() === want) return w;
    return undefined;
  }

  connectionReference(logicalName: string): Row | undefined {
    const want = logicalName.toLowerCase();
    for (const r of this.tables.connectionreference.values()) {
      if (String(r.connectionreferencelogicalname).toLowerCase() === want) return r;
    }
    return undefined;
  }

  /** For `$batch` change sets: everything a Dataverse write can change. */
  checkpoint(): () => void {
    const tables = structuredClone(this.tables);
    const activations = structuredClone(this.activations);
    const history = this.activationHistory.length;
    const flowHistory = this.flowHistory.length;
    const approvals = this.approvals.length;
    const stageRuns = structuredClone(this.stageRuns);
    return () => {
      this.tables = tables;
      this.activations = activations;
      this.activationHistory.length = history;
      this.flowHistory.length = flowHistory;
      this.approvals.length = approvals;
      this.stageRuns = stageRuns;
    };
  }

  snapshot(): SimStateSnapshot {
    const upn = (oid?: string) => this.scenarioUser(oid)?.upn;
    const userOid = (id: unknown) => (typeof id === 'string' ? (this.userById(id)?.azureactivedirectoryobjectid as string | undefined) : undefined);
    return {
      tenantId: this.tenantId,
      organizationId: this.organizationId,
      environmentId: this.environmentId,
      flows: [...this.tables.workflow.values()].map((w) => {
        const a = this.activations.get(w.workflowid as string);
        return {
          id: w.workflowid as string,
          name: w.name as string,
          statecode: w.statecode as number,
          statuscode: w.statuscode as number,
          state: flowStateName(w.statecode),
          owner: userOid(w._ownerid_value),
          activatedBy: a?.by,
          activatedByUpn: upn(a?.by),
          activatedAt: a?.at,
        };
      }),
      connectionReferences: [...this.tables.connectionreference.values()].map((r) => ({
        id: r.connectionreferenceid as string,
        logicalName: r.connectionreferencelogicalname as string,
        connectorId: r.connectorid as string,
        connectionid: (r.connectionid as string | null) ?? null,
        modifiedBy: userOid(r._modifiedby_value),
      })),
      environmentVariables: [...this.tables.environmentvariabledefinition.values()].map((d) => {
        const v = [...this.tables.environmentvariablevalue.values()].find(
          (x) => x._environmentvariabledefinitionid_value === d.environmentvariabledefinitionid,
        );
        return {
          schemaName: d.schemaname as string,
          type: d.type as number,
          defaultValue: (d.defaultvalue as string | null) ?? null,
          value: v ? ((v.value as string | null) ?? null) : null,
        };
      }),
      stageRuns: [...this.tables.deploymentstagerun.values()].map((s) => {
        const id = s.deploymentstagerunid as string;
        const last = [...this.approvals].reverse().find((a) => a.stageRunId === id);
        return {
          id,
          deploymentsettingsjson: s.deploymentsettingsjson as string,
          pendingApproval: this.stageRuns.get(id)?.pendingApproval ?? false,
          approvalStatus: last?.approvalStatus,
          approvalComments: last?.comments,
          approvedBy: last?.by,
        };
      }),
      connections: this.connections.map((c) => ({
        name: c.name,
        connector: c.connector,
        status: c.status ?? 'Connected',
        createdBy: c.createdBy,
        sharedWith: c.sharedWith ?? [],
      })),
    };
  }

  private seed(): void {
    const s = this.scenario;
    for (const u of s.users ?? []) {
      const oid = u.objectId.toLowerCase();
      this.insert(ENTITIES.systemuser, {
        systemuserid: (u.systemuserid ?? stableGuid('systemuser', oid)).toLowerCase(),
        azureactivedirectoryobjectid: oid,
        domainname: u.upn,
        internalemailaddress: u.applicationId ? null : u.upn,
        fullname: u.fullName ?? (u.applicationId ? `# ${u.upn}` : u.upn),
        isdisabled: u.isDisabled === true,
        applicationid: u.applicationId ? u.applicationId.toLowerCase() : null,
        accessmode: u.applicationId ? 4 : 0,
        _businessunitid_value: this.businessUnitId,
      });
    }
    const defaultOwner = this.defaultOwnerId();

    for (const sol of s.solutions ?? []) {
      this.insert(ENTITIES.solution, {
        solutionid: (sol.solutionId ?? stableGuid('solution', sol.uniqueName)).toLowerCase(),
        uniquename: sol.uniqueName,
        friendlyname: sol.friendlyName ?? sol.uniqueName,
        version: '1.0.0.0',
        ismanaged: true,
        isvisible: true,
      });
    }
    for (const cr of s.connectionReferences ?? []) {
      const id = (cr.id ?? stableGuid('connectionreference', cr.logicalName)).toLowerCase();
      this.insert(ENTITIES.connectionreference, {
        connectionreferenceid: id,
        connectionreferencelogicalname: cr.logicalName,
        connectionreferencedisplayname: cr.displayName ?? cr.logicalName,
        connectorid: cr.connectorId,
        connectionid: cr.connectionId ?? null,
        ismanaged: true,
        _ownerid_value: defaultOwner,
        promptingbehavior: 0,
        statecode: 0,
        statuscode: 1,
        componentstate: 0,
      });
      this.addComponent(cr.solution, this.connectionReferenceObjectTypeCode, id);
    }

    for (const f of s.flows ?? []) this.addFlow(f);

    for (const d of s.environmentVariableDefinitions ?? []) {
      const id = (d.id ?? stableGuid('environmentvariabledefinition', d.schemaName)).toLowerCase();
      this.insert(ENTITIES.environmentvariabledefinition, {
        environmentvariabledefinitionid: id,
        schemaname: d.schemaName,
        displayname: d.displayName ?? d.schemaName,
        defaultvalue: d.defaultValue ?? null,
        type: d.type,
        isrequired: d.isRequired === true,
        secretstore: d.type === 100000005 ? 1 : 0,
        ismanaged: true,
        statecode: 0,
        statuscode: 1,
        _ownerid_value: defaultOwner,
      });
      this.addComponent(d.solution, COMPONENT_TYPE_ENV_VAR_DEFINITION, id);
      if (d.value !== undefined) {
        this.insert(ENTITIES.environmentvariablevalue, {
          environmentvariablevalueid: stableGuid('environmentvariablevalue', id),
          schemaname: d.schemaName,
          value: d.value,
          _environmentvariabledefinitionid_value: id,
          statecode: 0,
          statuscode: 1,
          _ownerid_value: defaultOwner,
        });
      }
    }

    for (const d of s.deploymentEnvironments ?? []) {
      this.insert(ENTITIES.deploymentenvironment, {
        deploymentenvironmentid: d.id.toLowerCase(),
        name: d.name ?? d.environmentId,
        environmentid: d.environmentId,
        environmenttype: 200000001,
      });
    }

    for (const r of s.stageRuns ?? []) {
      const id = r.id.toLowerCase();
      const pending = r.pendingApproval !== false;
      this.insert(ENTITIES.deploymentstagerun, {
        deploymentstagerunid: id,
        name: r.artifactName ?? 'Deployment',
        artifactname: r.artifactName ?? null,
        deploymentsettingsjson: r.deploymentsettingsjson,
        stagerunstatus: pending ? STAGE_RUN_STATUS.pendingApproval : STAGE_RUN_STATUS.deploying,
        approvalstatus: pending ? 10 : null,
        operation: 200000202,
        _targetdeploymentenvironment_value: r.targetDeploymentEnvironmentId?.toLowerCase() ?? null,
      });
      this.stageRuns.set(id, { id, pendingApproval: pending, approverAppId: r.approverAppId?.toLowerCase() });
    }
  }

  private addComponent(solution: string | undefined, componenttype: number, objectid: string): void {
    if (!solution) return;
    const sol = this.solutionByName(solution);
    if (!sol) throw new Error(`scenario: solution '${solution}' is not in "solutions"`);
    this.insert(ENTITIES.solutioncomponent, {
      solutioncomponentid: stableGuid('solutioncomponent', sol.solutionid as string, objectid),
      componenttype,
      objectid,
      _solutionid_value: sol.solutionid,
      rootcomponentbehavior: 0,
      ismetadata: false,
    });
  }

  /** A cloud flow (category 5) as an import creates it; a flow that is on is recorded as turned on by its owner, or `by`. */
  addFlow(f: ScenarioFlow, by?: string): Row {
    const id = (f.id ?? stableGuid('workflow', f.name)).toLowerCase();
    const state = f.statecode ?? 0;
    const owner = (f.ownerObjectId ? (this.userByObjectId(f.ownerObjectId)?.systemuserid as string | undefined) : undefined) ?? this.defaultOwnerId();
    const row = this.insert(ENTITIES.workflow, {
      workflowid: id,
      workflowidunique: stableGuid('workflowidunique', id),
      name: f.name,
      category: 5,
      type: 1,
      primaryentity: 'none',
      clientdata: typeof f.clientdata === 'string' ? f.clientdata : JSON.stringify(f.clientdata),
      statecode: state,
      statuscode: state + 1,
      _ownerid_value: owner,
      _createdby_value: owner,
      _modifiedby_value: owner,
      ismanaged: true,
      modernflowtype: 0,
      runas: 1,
      componentstate: 0,
    });
    if (state === 1) {
      const who = by ?? (this.userById(owner)?.azureactivedirectoryobjectid as string | undefined) ?? '';
      this.activations.set(id, { workflowId: id, name: f.name, by: who, at: isoNow(), seeded: by === undefined });
    }
    this.addComponent(f.solution, COMPONENT_TYPE_WORKFLOW, id);
    return row;
  }

  /**
   * What a solution import does to flows, without any checks (the import turns flows on as the
   * importer; dataverse-facts Corrections): flows turned on, off or suspended, and new flows added.
   * Recorded in `flowHistory` with `by: "import"`; not in the request log.
   */
  simulateImport(change: SimulatedImport): void {
    const importer = change.by ?? (this.scenario.users.find((u) => u.applicationId)?.objectId ?? '').toLowerCase();
    const setState = (nameOrId: string, to: 0 | 1 | 2) => {
      const row = this.flow(nameOrId);
      if (!row) throw new Error(`simulateImport: no flow '${nameOrId}'`);
      const from = flowStateName(row.statecode);
      Object.assign(row, { statecode: to, statuscode: to + 1, modifiedon: isoNow(), versionnumber: this.nextVersion() });
      const id = row.workflowid as string;
      if (to === 1 && !this.activations.has(id)) this.activations.set(id, { workflowId: id, name: String(row.name), by: importer, at: isoNow() });
      if (to !== 1) this.activations.delete(id);
      this.flowHistory.push({ kind: 'state', workflowId: id, name: String(row.name), from, to: flowStateName(to), by: 'import', at: isoNow() });
    };
    for (const f of change.turnOn ?? []) setState(f, 1);
    for (const f of change.turnOff ?? []) setState(f, 0);
    for (const f of change.suspend ?? []) setState(f, 2);
    for (const f of change.addFlows ?? []) {
      const id = (f.id ?? stableGuid('workflow', f.name)).toLowerCase();
      if (this.tables.workflow.has(id)) throw new Error(`simulateImport: flow '${f.name}' (${id}) exists already`);
      // flows a deployment creates are owned by the deploying identity (issue "Flows come back exactly as they were")
      const row = this.addFlow({ ...f, ownerObjectId: f.ownerObjectId ?? (importer || undefined) }, importer);
      const to = flowStateName(row.statecode);
      this.flowHistory.push({ kind: 'state', workflowId: row.workflowid as string, name: f.name, from: 'off', to, by: 'import', at: isoNow() });
    }
  }

  private defaultOwnerId(): string {
    const users = [...this.tables.systemuser.values()];
    const person = users.find((u) => !u.applicationid) ?? users[0];
    return (person?.systemuserid as string | undefined) ?? stableGuid('systemuser', 'SYSTEM');
  }
}
