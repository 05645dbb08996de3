import * as assert from 'assert';
import { FlowIdentity, readAlmFlowVariables } from '../../tasks/common/alm-flow-variables';
import { PipelineVariable, referenceOwner, referenceOwnerVariables, suffixAfter } from '../../tasks/common/alm-variables';

const variable = (name: string, value: string, secret = false): PipelineVariable => ({ name, value, secret });

const NORDIC = 'a8c6e2d0-1b3f-4c5d-8e9f-0a1b2c3d4e5f';
const DOTTED = 'b7d5c3a1-2e4f-4a6b-9c8d-1e2f3a4b5c6d';
const PLAIN = 'c1d2e3f4-a5b6-4c7d-8e9f-a0b1c2d3e4f5';
const TWIN_1 = 'd0000000-0000-4000-8000-000000000001';
const TWIN_2 = 'd0000000-0000-4000-8000-000000000002';

const FLOWS: FlowIdentity[] = [
  { workflowId: NORDIC, name: 'SÆmpleØærligforsøk' },
  { workflowId: DOTTED.toUpperCase(), name: 'My.Flow.Name' },
  { workflowId: PLAIN, name: 'Notify on new listing' },
  { workflowId: TWIN_1, name: 'Twin' },
  { workflowId: TWIN_2, name: 'Twin' },
];

describe('ALM Accelerator variable names', () => {
  it('finds a prefix whatever its case and separators, and keeps the rest as written', () => {
    assert.strictEqual(suffixAfter('connectionreference.user.cat_CDS_Current', 'connectionreference.user.'), 'cat_CDS_Current');
    assert.strictEqual(suffixAfter('CONNECTIONREFERENCE_USER_CAT_CDS_CURRENT', 'connectionreference.user.'), 'CAT_CDS_CURRENT');
    assert.strictEqual(suffixAfter('ConnectionReference.cat_CDS_Current', 'connectionreference.user.'), undefined);
    assert.strictEqual(suffixAfter('connectionreference.user.', 'connectionreference.user.'), undefined, 'nothing after the prefix');
  });

  it('reads connectionreference.user.<logicalname> as that reference owner, in either spelling, ignoring empty values', () => {
    const owners = referenceOwnerVariables([
      variable('connectionreference.user.cat_CDS_Current', ' 9f1c2d3e-4a5b-4c6d-8e7f-001122334455 '),
      variable('CONNECTIONREFERENCE_USER_CAT_SHAREPOINT', 'svc-sharepoint@contoso.com'),
      variable('connectionreference.user.cat_empty', ''),
      variable('connectionreference.cat_CDS_Current', 'a-connection-id'),
      variable('environmentvariable.cat_x', 'y'),
    ]);
    assert.strictEqual(owners.size, 2);
    assert.deepStrictEqual(referenceOwner(owners, 'cat_CDS_Current'), {
      logicalName: 'cat_CDS_Current',
      owner: '9f1c2d3e-4a5b-4c6d-8e7f-001122334455',
      variable: 'connectionreference.user.cat_CDS_Current',
    });
    assert.strictEqual(referenceOwner(owners, 'cat_SharePoint')?.owner, 'svc-sharepoint@contoso.com');
    assert.strictEqual(referenceOwner(owners, 'cat_empty'), undefined);
  });
});

describe('ALM Accelerator flow variables', () => {
  it('matches by the workflow id at the end: a non-ASCII name, a dotted name, any case', () => {
    const result = readAlmFlowVariables(
      [
        variable(`activateflow.activate.SÆmpleØærligforsøk.${NORDIC}`, 'false'),
        variable(`activateflow.activateas.My.Flow.Name.${DOTTED}`, 'alice@contoso.com'),
        variable(`Owner.OwnerEmail.Whatever it was called before.${PLAIN.toUpperCase()}`, 'bob@contoso.com'),
      ],
      FLOWS,
    );
    assert.deepStrictEqual(result.problems, []);
    assert.deepStrictEqual(result.flows.get(NORDIC), { workflowId: NORDIC, activate: false, sources: { activate: `activateflow.activate.SÆmpleØærligforsøk.${NORDIC}` } });
    assert.strictEqual(result.flows.get(DOTTED)?.activateAs, 'alice@contoso.com');
    assert.strictEqual(result.flows.get(PLAIN)?.ownerEmail, 'bob@contoso.com', 'the id decides, not the name before it');
  });

  it('reads the names as the agent presents them in the environment: `_` for `.` and upper case', () => {
    const result = readAlmFlowVariables(
      [
        variable(`ACTIVATEFLOW_ACTIVATE_SÆMPLEØÆRLIGFORSØK_${NORDIC.toUpperCase()}`, 'true'),
        variable(`OWNER_OWNEREMAIL_MY_FLOW_NAME_${DOTTED}`, 'carol@contoso.com'),
        variable('ACTIVATEFLOW_ACTIVATEAS_NOTIFY_ON_NEW_LISTING', 'dave@contoso.com'),
      ],
      FLOWS,
    );
    assert.deepStrictEqual(result.problems, []);
    assert.strictEqual(result.flows.get(NORDIC)?.activate, true);
    assert.strictEqual(result.flows.get(DOTTED)?.ownerEmail, 'carol@contoso.com');
    assert.strictEqual(result.flows.get(PLAIN)?.activateAs, 'dave@contoso.com', 'by display name when there is no GUID');
  });

  it('matches by display name without a GUID, case-insensitively, including a non-ASCII name', () => {
    const result = readAlmFlowVariables([variable('activateflow.activate.sæmpleøærligforsøk', 'False'), variable('activateflow.activate.my.flow.name', 'true')], FLOWS);
    assert.deepStrictEqual(result.problems, []);
    assert.strictEqual(result.flows.get(NORDIC)?.activate, false);
    assert.strictEqual(result.flows.get(DOTTED)?.activate, true);
  });

  it('ignores an empty activateas (and any empty value)', () => {
    const result = readAlmFlowVariables([variable(`activateflow.activateas.SÆmpleØærligforsøk.${NORDIC}`, ''), variable(`owner.ownerEmail.x.${PLAIN}`, '  ')], FLOWS);
    assert.strictEqual(result.flows.size, 0);
    assert.deepStrictEqual(result.problems, []);
  });

  it('collects the order variables, which are ignored, without matching them', () => {
    const result = readAlmFlowVariables(
      [variable(`activateflow.order.SÆmpleØærligforsøk.${NORDIC}`, '1'), variable('ACTIVATEFLOW_ORDER_GONE_e0000000-0000-4000-8000-000000000000', '2')],
      FLOWS,
    );
    assert.deepStrictEqual(result.orderVariables, [`activateflow.order.SÆmpleØærligforsøk.${NORDIC}`, 'ACTIVATEFLOW_ORDER_GONE_e0000000-0000-4000-8000-000000000000']);
    assert.strictEqual(result.flows.size, 0);
    assert.deepStrictEqual(result.problems, []);
  });

  it('warns about a workflow id not in the list, a name that matches nothing or several flows, and a value that is not a boolean', () => {
    const gone = 'e0000000-0000-4000-8000-000000000000';
    const result = readAlmFlowVariables(
      [
        variable(`activateflow.activate.Removed flow.${gone}`, 'false'),
        variable('activateflow.activateas.No such flow', 'alice@contoso.com'),
        variable('owner.ownerEmail.Twin', 'bob@contoso.com'),
        variable(`activateflow.activate.x.${PLAIN}`, 'maybe'),
      ],
      FLOWS,
    );
    assert.deepStrictEqual(result.problems, [
      { kind: 'unknownWorkflowId', variable: `activateflow.activate.Removed flow.${gone}`, workflowId: gone },
      { kind: 'unknownFlowName', variable: 'activateflow.activateas.No such flow', flowName: 'No such flow' },
      { kind: 'ambiguousFlowName', variable: 'owner.ownerEmail.Twin', flowName: 'Twin', workflowIds: [TWIN_1, TWIN_2] },
      { kind: 'invalidBoolean', variable: `activateflow.activate.x.${PLAIN}`, value: 'maybe' },
    ]);
    assert.strictEqual(result.flows.size, 0);
  });

  it('lets a variable naming the workflow id win over one naming the display name, in any order', () => {
    for (const order of [0, 1]) {
      const byName = variable('activateflow.activate.Notify on new listing', 'true');
      const byId = variable(`activateflow.activate.Notify on new listing.${PLAIN}`, 'false');
      const result = readAlmFlowVariables(order ? [byName, byId] : [byId, byName], FLOWS);
      assert.strictEqual(result.flows.get(PLAIN)?.activate, false, `order ${order}`);
      assert.strictEqual(result.flows.get(PLAIN)?.sources.activate, byId.name);
    }
  });

  it('does not take activateflow.activateas for activateflow.activate, nor other variables for flow settings', () => {
    const result = readAlmFlowVariables(
      [variable(`activateflow.activateas.x.${PLAIN}`, 'alice@contoso.com'), variable('activateflow.other.x', 'y'), variable('ConnectionReference.cat_x', 'z')],
      FLOWS,
    );
    assert.deepStrictEqual(result.flows.get(PLAIN), { workflowId: PLAIN, activateAs: 'alice@contoso.com', sources: { activateAs: `activateflow.activateas.x.${PLAIN}` } });
    assert.deepStrictEqual(result.problems, []);
  });
});
