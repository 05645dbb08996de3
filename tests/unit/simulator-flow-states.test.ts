import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Scenario, Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ALICE, BOB, FLOW_IDS, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const api = '/api/data/v9.2';
const SUSPENDED = 'f0000000-0000-4000-8000-000000000051';
const NEW_FLOW = 'f0000000-0000-4000-8000-000000000099';

function dataverseOnly(): object {
  return {
    properties: {
      connectionReferences: {
        shared_commondataserviceforapps: { runtimeSource: 'embedded', connection: { connectionReferenceLogicalName: 'contoso_dataverse' }, api: { name: 'shared_commondataserviceforapps' } },
      },
      definition: { actions: {} },
    },
  };
}

function scenario(): Scenario {
  const s = testScenario();
  s.flows.push({ id: SUSPENDED, name: 'Suspended by DLP', solution: 'ContosoCore', statecode: 2, ownerObjectId: ALICE.objectId, clientdata: dataverseOnly() });
  return s;
}

describe('simulator: flow states, simulated imports and flow owners', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let spToken: string;

  beforeEach(async () => {
    sim = await startSimulator({ scenario: scenario() });
    http = simClient(sim);
    spToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
  });
  afterEach(async () => {
    await sim.stop();
  });

  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'If-Match': '*' };
  const patch = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    http.patch(`${api}/${path}`, JSON.stringify(body), { headers: { Authorization: `Bearer ${spToken}`, ...headers, ...extra } });
  const get = (path: string) => http.get(`${api}/${path}`, { headers: { Authorization: `Bearer ${spToken}`, Accept: 'application/json' } });
  const systemUserId = (oid: string) => sim.state.userByObjectId(oid)?.systemuserid as string;
  const assign = (flowId: string, oid: string) => patch(`workflows(${flowId})`, { 'ownerid@odata.bind': `/systemusers(${systemUserId(oid)})` });

  describe('suspended flows', () => {
    it('seeds statecode 2 as statuscode 3 and reports it as suspended', async () => {
      const r = await get(`workflows(${SUSPENDED})?$select=statecode,statuscode`);
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.data.statecode, 2);
      assert.strictEqual(r.data.statuscode, 3);
      const snap = sim.state.snapshot().flows.find((f) => f.id === SUSPENDED);
      assert.strictEqual(snap?.state, 'suspended');
      assert.strictEqual(sim.state.activations.has(SUSPENDED), false);
    });

    it('turns a suspended flow on through the ordinary activation checks', async () => {
      const r = await patch(`workflows(${SUSPENDED})`, { statecode: 1, statuscode: 2 });
      assert.strictEqual(r.status, 204, JSON.stringify(r.data));
      assert.deepStrictEqual(
        sim.state.flowHistory.map((e) => [e.kind, e.from, e.to, e.by]),
        [['state', 'suspended', 'on', SP.objectId]],
      );
    });
  });

  describe('simulateImport', () => {
    it('turns flows on and off, adds flows, records it as the import and writes no log entry', async () => {
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.child})`, { statecode: 1 })).status, 204);
      sim.clearLog();
      sim.state.simulateImport({
        turnOn: ['Dataverse only'],
        turnOff: [FLOW_IDS.child],
        addFlows: [{ id: NEW_FLOW, name: 'New in this version', solution: 'ContosoCore', clientdata: dataverseOnly() }],
      });
      assert.deepStrictEqual(sim.log, []);
      const states = Object.fromEntries(sim.state.snapshot().flows.map((f) => [f.name, f.state]));
      assert.strictEqual(states['Dataverse only'], 'on');
      assert.strictEqual(states.Child, 'off');
      assert.strictEqual(states['New in this version'], 'off');
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.dvOnly)?.by, SP.objectId, 'the importer (first application user) turned it on');
      assert.strictEqual(sim.state.activations.has(FLOW_IDS.child), false);
      assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === NEW_FLOW)?.owner, SP.objectId, 'a new flow is owned by the importer');
      assert.deepStrictEqual(
        sim.state.flowHistory.slice(-3).map((e) => [e.name, e.from, e.to, e.by]),
        [
          ['Dataverse only', 'off', 'on', 'import'],
          ['Child', 'on', 'off', 'import'],
          ['New in this version', 'off', 'off', 'import'],
        ],
      );
      const components = await get(`solutioncomponents?$filter=objectid eq ${NEW_FLOW}&$select=componenttype`);
      assert.deepStrictEqual(components.data.value.map((c: { componenttype: number }) => c.componenttype), [29]);
    });

    it('suspends flows, adds a flow that is already on, and refuses an unknown flow', async () => {
      sim.state.simulateImport({
        suspend: ['Send mail'],
        addFlows: [{ id: NEW_FLOW, name: 'Added on', solution: 'ContosoBulk', statecode: 1, clientdata: dataverseOnly() }],
        by: SVC.objectId,
      });
      assert.strictEqual(sim.state.flow('Send mail')?.statuscode, 3);
      assert.strictEqual(sim.state.flow(NEW_FLOW)?.statecode, 1);
      assert.strictEqual(sim.state.activations.get(NEW_FLOW)?.by, SVC.objectId);
      assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === NEW_FLOW)?.owner, SVC.objectId, 'owned by the importer');
      assert.throws(() => sim.state.simulateImport({ turnOn: ['No such flow'] }), /No such flow/);
    });
  });

  describe('assigning a flow (ownerid@odata.bind)', () => {
    it('changes _ownerid_value of a flow that is off, and the history shows the owner change before the state change', async () => {
      const a = await assign(FLOW_IDS.dvOnly, ALICE.objectId);
      assert.strictEqual(a.status, 204, JSON.stringify(a.data));
      const on = await patch(`workflows(${FLOW_IDS.dvOnly})`, { statecode: 1, statuscode: 2 });
      assert.strictEqual(on.status, 204);
      const row = await get(`workflows(${FLOW_IDS.dvOnly})?$select=_ownerid_value`);
      assert.strictEqual(row.data._ownerid_value, systemUserId(ALICE.objectId));
      assert.strictEqual(sim.state.snapshot().flows.find((f) => f.id === FLOW_IDS.dvOnly)?.owner, ALICE.objectId);
      assert.deepStrictEqual(
        sim.state.flowHistory.map((e) => [e.kind, e.from, e.to]),
        [['owner', SVC.objectId, ALICE.objectId], ['state', 'off', 'on']],
      );
      const patches = sim.log.filter((e) => e.method === 'PATCH');
      assert.deepStrictEqual(patches.map((e) => Object.keys(e.body as object)[0]), ['ownerid@odata.bind', 'statecode']);
      assert.ok(patches[0].seq < patches[1].seq);
    });

    it('refuses a disabled user with the disabled-user error and changes nothing', async () => {
      const before = sim.state.flow(FLOW_IDS.dvOnly)?._ownerid_value;
      const r = await assign(FLOW_IDS.dvOnly, BOB.objectId);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80040225');
      assert.match(r.data.error.message, new RegExp(`SystemUserId=${BOB.systemuserid}.*is disabled`));
      assert.strictEqual(sim.state.flow(FLOW_IDS.dvOnly)?._ownerid_value, before);
      assert.deepStrictEqual(sim.state.flowHistory, []);
    });

    it('refuses to change the owner of a flow that is on, and allows it again once the flow is off', async () => {
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.dvOnly})`, { statecode: 1 })).status, 204);
      const r = await assign(FLOW_IDS.dvOnly, ALICE.objectId);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80040203');
      assert.match(r.data.error.message, /cannot be changed while it is activated/);
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.dvOnly})`, { statecode: 0, statuscode: 1 })).status, 204);
      assert.strictEqual((await assign(FLOW_IDS.dvOnly, ALICE.objectId)).status, 204);
    });
  });
});
