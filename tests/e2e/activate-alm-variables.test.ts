import * as assert from 'assert';
import { Simulator, startSimulator } from '../simulator';
import { ScenarioFlow } from '../simulator/scenario';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { APP_OBJECT_ID, CLIENT_SECRET, baseScenario } from '../helpers/base-scenario';
import { BOB, CAROL, DAVE_DISABLED, flowId, readReport, runActivate } from '../helpers/activate-scenario';
import { flowClientData } from '../helpers/flow-definitions';

const ALM = 5;
const NORDIC = flowId(ALM, 1);
const KEPT_OFF = flowId(ALM, 2);
const RUN_AS_BOB = flowId(ALM, 3);
const CALLER = flowId(ALM, 4);
const UNKNOWN_ID = 'deadbeef-0000-4000-8000-000000000000';

function flow(n: number, name: string, statecode: 0 | 1, children: string[] = []): ScenarioFlow {
  return { id: flowId(ALM, n), name, solution: 'AlmSolution', statecode, ownerObjectId: APP_OBJECT_ID, clientdata: flowClientData([], children) };
}

/** A variable group written in the ALM Accelerator's convention: lower-case names, `<flowname>.<workflowid>` suffixes. */
const VARIABLE_GROUP: Record<string, string> = {
  [`activateflow.activate.keptoffbyvariable.${KEPT_OFF}`]: 'false',
  [`activateflow.activate.sæmpleøærligforsøk.${NORDIC}`]: 'true',
  [`activateflow.activateas.runasbob.${RUN_AS_BOB}`]: BOB.upn as string,
  [`activateflow.activateas.sæmpleøærligforsøk.${NORDIC}`]: '',
  [`owner.owneremail.sæmpleøærligforsøk.${NORDIC}`]: CAROL.upn as string,
  [`owner.owneremail.callerofnordic.${CALLER}`]: CAROL.objectId,
  [`activateflow.order.sæmpleøærligforsøk.${NORDIC}`]: '1',
  [`activateflow.order.callerofnordic.${CALLER}`]: '2',
  [`activateflow.activate.removedflow.${UNKNOWN_ID}`]: 'true',
};

describe('DataverseActivateFlows: an ALM Accelerator variable group works unchanged', function () {
  let sim: Simulator;
  beforeEach(async () => {
    const base = baseScenario();
    sim = await startSimulator({
      scenario: baseScenario({
        environmentId: 'contoso-alm-env',
        users: [...base.users, BOB, CAROL, DAVE_DISABLED],
        solutions: [{ uniqueName: 'AlmSolution' }],
        flows: [flow(1, 'SÆmpleØærligforsøk', 0), flow(2, 'KeptOffByVariable', 1), flow(3, 'RunAsBob', 0), flow(4, 'CallerOfNordic', 0, [NORDIC])],
      }),
    });
  });
  afterEach(async () => sim?.stop());

  it('keeps the activate=false flow off, turns the activateas flow on as that user, assigns ownerEmail owners first and ignores order', async () => {
    const run = await runActivate(sim, { SolutionName: 'AlmSolution' }, { variables: VARIABLE_GROUP });
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    const items = new Map(readReport(run).items.map((i) => [i.id, i as typeof i & { reason: string; owner?: unknown }]));

    assert.strictEqual(items.get(KEPT_OFF)?.outcome, 'deactivated');
    assert.strictEqual(items.get(KEPT_OFF)?.reason, 'almVariable');

    const bob = items.get(RUN_AS_BOB);
    assert.strictEqual(bob?.outcome, 'activated');
    assert.strictEqual(bob?.actor, BOB.objectId);
    assert.strictEqual(bob?.actorReason, 'activateAs');
    const bobPatch = sim.log.find((e) => e.kind === 'write' && e.path.endsWith(`workflows(${RUN_AS_BOB})`));
    assert.strictEqual(bobPatch?.effectiveUser, BOB.objectId, 'the request ran as that user');

    const nordic = items.get(NORDIC);
    assert.strictEqual(nordic?.outcome, 'activated');
    assert.strictEqual(nordic?.actor, 'servicePrincipal', 'an empty activateas changes nothing');
    assert.deepStrictEqual(nordic?.owner, { from: `${baseScenario().apps[0].appId}@app`, to: CAROL.upn });
    for (const id of [NORDIC, CALLER]) {
      const events = sim.state.flowHistory.filter((e) => e.workflowId === id).map((e) => `${e.kind}:${e.to}`);
      assert.deepStrictEqual(events, [`owner:${CAROL.objectId}`, 'state:on'], `owner assigned before turning on ${id}`);
    }
    assert.ok(items.get(CALLER)!.order > nordic!.order, 'callers keep the usual order');

    const orderLines = run.stdout.split('\n').filter((line) => /activateflow\.order/i.test(line) && !line.startsWith('##vso[task.debug]'));
    assert.strictEqual(orderLines.length, 1, orderLines.join('\n'));
    assert.ok(run.warnings.some((w) => w.includes(UNKNOWN_ID)), `a variable naming a workflow id not in the solution is a warning: ${run.warnings.join(' | ')}`);
  });

  it('fails with no write when an activateas user is disabled', async () => {
    const run = await runActivate(sim, { SolutionName: 'AlmSolution' }, { variables: { ...VARIABLE_GROUP, [`activateflow.activateas.runasbob.${RUN_AS_BOB}`]: DAVE_DISABLED.upn as string } });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.ok(run.resultMessage?.includes(DAVE_DISABLED.upn as string) && /activateflow\.activateas/i.test(run.resultMessage), run.resultMessage);
    assert.deepStrictEqual(sim.log.filter((e) => e.kind === 'write'), []);
  });
});
