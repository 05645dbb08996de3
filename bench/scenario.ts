import { Scenario, ScenarioConnection, ScenarioConnectionReference, ScenarioFlow, ScenarioUser } from '../tests/simulator/scenario';
import { baseScenario } from '../tests/helpers/base-scenario';
import { flowClientData, FlowConnectionUse } from '../tests/helpers/flow-definitions';

export const BENCH_SOLUTION = 'ContosoFlowsAtScale';

const CONNECTORS = [
  'shared_commondataserviceforapps',
  'shared_office365',
  'shared_sharepointonline',
  'shared_teams',
  'shared_excelonlinebusiness',
  'shared_onedriveforbusiness',
  'shared_approvals',
  'shared_planner',
  'shared_office365users',
  'shared_sql',
  'shared_office365groups',
];

export interface BenchShape {
  flows: number;
  references: number;
  owners: number;
  depth: number;
  readMs: number;
  writeMs: number;
  activationMs: number;
  seed: number;
}

export interface BenchOwner {
  objectId: string;
  upn: string;
  fullName: string;
}

export interface BenchReference {
  logicalName: string;
  connectorId: string;
  connectionId: string;
  owner: BenchOwner;
}

export interface BenchFlow {
  id: string;
  name: string;
  /** 0 = leaf (called by the flow one level up), depth - 1 = top of its chain. */
  level: number;
  chain: number;
  owner: BenchOwner;
  references: string[];
  children: string[];
}

export interface BenchSolution {
  scenario: Scenario;
  owners: BenchOwner[];
  references: BenchReference[];
  flows: BenchFlow[];
  /** Longest child chain actually generated. */
  depth: number;
}

/** Small deterministic generator (mulberry32), so every run and every simulator gets the same solution. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A solution of `flows` cloud flows in child chains of `depth` (top calls middle calls leaf) over
 * `references` connection references. Connection i belongs to owner i mod `owners`; every flow
 * uses 1-3 references of one owner, so turning it on as that owner is valid. The references start
 * unbound and every flow starts off. Flows are stored in a shuffled order so that neither the
 * order of the solution nor of the ids hands anyone the child-first order.
 */
export function buildSolution(shape: BenchShape): BenchSolution {
  const rnd = random(shape.seed);
  const owners: BenchOwner[] = Array.from({ length: shape.owners }, (_, i) => ({
    objectId: guid('0a0e0000', i + 1),
    upn: `flow-owner-${i + 1}@contoso.com`,
    fullName: `Flow owner ${i + 1}`,
  }));
  const references: BenchReference[] = Array.from({ length: shape.references }, (_, i) => {
    const connector = CONNECTORS[i % CONNECTORS.length];
    return {
      logicalName: `contoso_${connector.replace(/^shared_/, '')}_${String(i + 1).padStart(3, '0')}`,
      connectorId: `/providers/Microsoft.PowerApps/apis/${connector}`,
      connectionId: `${connector.replace(/_/g, '-').slice(0, 20)}-${guid('c0de0000', i + 1).replace(/-/g, '').slice(-12)}`,
      owner: owners[i % shape.owners],
    };
  });
  const byOwner = owners.map((o) => references.filter((r) => r.owner === o));

  const flows: BenchFlow[] = [];
  const chains = Math.ceil(shape.flows / shape.depth);
  let depth = 0;
  for (let c = 0; c < chains; c++) {
    const length = Math.min(shape.depth, shape.flows - c * shape.depth);
    depth = Math.max(depth, length);
    let child: BenchFlow | undefined;
    for (let level = 0; level < length; level++) {
      const n = flows.length + 1;
      const ownerIndex = Math.floor(rnd() * owners.length);
      const pool = [...byOwner[ownerIndex]];
      const count = Math.min(pool.length, 1 + Math.floor(rnd() * 3));
      const picked: string[] = [];
      for (let k = 0; k < count; k++) picked.push(pool.splice(Math.floor(rnd() * pool.length), 1)[0].logicalName);
      const role = length === 1 ? 'single' : level === 0 ? 'leaf' : level === length - 1 ? 'top' : length === 3 ? 'middle' : `level ${level}`;
      const flow: BenchFlow = {
        id: guid('f10e0000', n),
        name: `Chain ${String(c + 1).padStart(4, '0')} ${role}`,
        level,
        chain: c,
        owner: owners[ownerIndex],
        references: picked,
        children: child ? [child.id] : [],
      };
      flows.push(flow);
      child = flow;
    }
  }
  for (let i = flows.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [flows[i], flows[j]] = [flows[j], flows[i]];
  }

  const referenceByName = new Map(references.map((r) => [r.logicalName, r]));
  const base = baseScenario();
  const users: ScenarioUser[] = [...base.users, ...owners.map((o) => ({ objectId: o.objectId, upn: o.upn, fullName: o.fullName }))];
  const connections: ScenarioConnection[] = references.map((r) => ({
    name: r.connectionId,
    connector: r.connectorId.split('/').pop() as string,
    displayName: r.owner.upn,
    createdBy: r.owner.objectId,
  }));
  const connectionReferences: ScenarioConnectionReference[] = references.map((r) => ({
    logicalName: r.logicalName,
    displayName: r.logicalName,
    connectorId: r.connectorId,
    solution: BENCH_SOLUTION,
  }));
  const scenarioFlows: ScenarioFlow[] = flows.map((f) => {
    const uses: FlowConnectionUse[] = f.references.map((name) => {
      const r = referenceByName.get(name) as BenchReference;
      return { logicalName: name, api: r.connectorId.split('/').pop() as string };
    });
    return { id: f.id, name: f.name, solution: BENCH_SOLUTION, statecode: 0, ownerObjectId: f.owner.objectId, clientdata: flowClientData(uses, f.children) };
  });

  const scenario: Scenario = {
    ...base,
    environmentDisplayName: 'Contoso Benchmark',
    users,
    connections,
    solutions: [{ uniqueName: BENCH_SOLUTION, friendlyName: 'Contoso flows at scale' }],
    connectionReferences,
    flows: scenarioFlows,
    latency: { readMs: shape.readMs, writeMs: shape.writeMs, activationMs: shape.activationMs },
  };
  return { scenario, owners, references, flows, depth };
}
