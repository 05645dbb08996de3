import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator } from '../simulator';
import { HttpClient } from '../../tasks/common/http-client';
import { TokenProvider } from '../../tasks/common/auth';
import { DataverseClient } from '../../tasks/common/dataverse';
import { cloudEndpoints } from '../../tasks/common/cloud';
import { PlatformError } from '../../tasks/common/errors';
import { UnconfirmedChangeError, sendStateChange } from '../../tasks/DataverseActivateFlowsV1/modules/apply';
import { classifyFlowError } from '../../tasks/DataverseActivateFlowsV1/modules/classify';
import { PlannedFlow } from '../../tasks/DataverseActivateFlowsV1/modules/plan';
import { APP_ID, APP_OBJECT_ID, baseScenario, CLIENT_SECRET, TENANT_ID } from '../helpers/base-scenario';

const FLOW_ID = 'f1000001-0000-4000-8000-000000000001';
const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const flow: PlannedFlow = {
  id: FLOW_ID,
  name: 'No connections',
  action: 'turnOn',
  statecode: 0,
  outcome: 'pending',
  actor: { kind: 'servicePrincipal' },
  children: [],
  dependsOn: [],
  level: 0,
  order: 1,
  connectionsToShare: [],
};

describe('activate: a change whose response is lost', function () {
  let sim: Simulator;
  let http: HttpClient;
  let dataverse: DataverseClient;

  beforeEach(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        solutions: [{ uniqueName: 'Core' }],
        flows: [{ id: FLOW_ID, name: 'No connections', solution: 'Core', ownerObjectId: APP_OBJECT_ID, clientdata: { properties: { connectionReferences: {}, definition: { actions: {} } } } }],
      }),
    });
    http = new HttpClient({ network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')] }, retry: { baseDelayMs: 5 } });
    const tokens = new TokenProvider(
      { scheme: 'ClientSecret', tenantId: TENANT_ID, clientId: APP_ID, clientSecret: CLIENT_SECRET },
      cloudEndpoints('127.0.0.1', { authorityHost: sim.url, powerAppsApiUrl: sim.url, bapApiUrl: sim.url }),
      http,
      () => undefined,
      (resource, reason) => `token for ${resource}: ${reason}`,
    );
    dataverse = new DataverseClient(http, sim.url, tokens.source(sim.url), 2);
  });
  afterEach(async () => {
    http.close();
    await sim.stop();
  });
  const patches = () => sim.log.filter((e) => e.method === 'PATCH');
  const state = () => sim.state.snapshot().flows.find((f) => f.id === FLOW_ID)?.statecode;

  it('the client resends an ordinary write after a reset, but not one marked retryOnLostResponse: false', async () => {
    sim.addFault({ method: 'PATCH', kind: 'reset', times: 1 });
    await dataverse.patch(`workflows(${FLOW_ID})`, { description: 'x' });
    assert.strictEqual(patches().length, 2);
    sim.clearLog();
    sim.addFault({ method: 'PATCH', kind: 'reset', times: 1 });
    await assert.rejects(dataverse.patch(`workflows(${FLOW_ID})`, { description: 'y' }, { retryOnLostResponse: false }), (error: unknown) => {
      assert.ok(error instanceof PlatformError && error.status === 0, String(error));
      return true;
    });
    assert.strictEqual(patches().length, 1);
  });

  it('a change that landed is confirmed by reading the flow, sent once', async () => {
    sim.addFault({ method: 'PATCH', kind: 'resetAfterApply' });
    assert.deepStrictEqual(await sendStateChange(dataverse, flow), { confirmedByRead: true });
    assert.strictEqual(patches().length, 1);
    assert.strictEqual(state(), 1);
  });

  it('a change that did not land is reported with the state read, not resent', async () => {
    sim.addFault({ method: 'PATCH', kind: 'reset' });
    const error = await sendStateChange(dataverse, flow).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnconfirmedChangeError);
    assert.strictEqual(error.stateAfter, 0);
    assert.strictEqual(patches().length, 1);
    const described = classifyFlowError(error, { actorName: 'sp', flowName: () => undefined, connectionOwner: () => undefined }, loc);
    assert.match(described.message, /^MsgChangeNotMade\(/);
    assert.strictEqual(described.hint, 'HintRunAgain()');
  });

  it('when the state cannot be read either, the outcome is reported unknown', () => {
    const lost = new PlatformError({ status: 0, code: 'ECONNRESET', message: 'reset', method: 'PATCH', url: 'https://x/' });
    const described = classifyFlowError(new UnconfirmedChangeError(lost, undefined), { actorName: 'sp', flowName: () => undefined, connectionOwner: () => undefined }, loc);
    assert.strictEqual(described.code, 'ActivationOutcomeUnknown');
  });
});
