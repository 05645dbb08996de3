import * as assert from 'assert';
import { PipelineVariable } from '../../tasks/common/alm-variables';
import { UserError } from '../../tasks/common/errors';
import { FlowFacts } from '../../tasks/DataverseActivateFlowsV1/modules/facts';
import { readFlowOverrides } from '../../tasks/DataverseActivateFlowsV1/modules/flow-overrides';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const variable = (name: string, value: string): PipelineVariable => ({ name, value, secret: false });
const NORDIC = 'a8c6e2d0-1b3f-4c5d-8e9f-0a1b2c3d4e5f';
const OTHER = 'c1d2e3f4-a5b6-4c7d-8e9f-a0b1c2d3e4f5';
const GONE = 'deadbeef-0000-4000-8000-000000000000';
const flow = (id: string, name: string): FlowFacts => ({ id, name, statecode: 0, definition: { connectionReferences: [], connectors: {}, childFlowIds: [] } });
const FLOWS = [flow(NORDIC, 'SÆmpleØærligforsøk'), flow(OTHER, 'Other')];

describe('activate: per-flow overrides from ALM Accelerator variables', () => {
  it('reads activate=false, activateas and ownerEmail per flow; an empty activateas is nothing', () => {
    const overrides = readFlowOverrides(
      [
        variable(`ACTIVATEFLOW_ACTIVATE_SÆMPLEØÆRLIGFORSØK_${NORDIC.toUpperCase()}`, 'False'),
        variable(`activateflow.activateas.other.${OTHER}`, 'bob@contoso.com'),
        variable(`activateflow.activateas.sæmpleøærligforsøk.${NORDIC}`, ''),
        variable(`owner.ownerEmail.SÆmpleØærligforsøk.${NORDIC}`, 'carol@contoso.com'),
        variable('activateflow.order.other', '3'),
      ],
      FLOWS,
      'Core',
      loc,
    );
    assert.deepStrictEqual([...overrides.keptOff], [NORDIC]);
    assert.deepStrictEqual([...overrides.activateAs.keys()], [OTHER]);
    assert.strictEqual(overrides.activateAs.get(OTHER)?.user, 'bob@contoso.com');
    assert.strictEqual(overrides.owners.get(NORDIC)?.user, 'carol@contoso.com');
    assert.deepStrictEqual(overrides.orderVariables, ['activateflow.order.other']);
    assert.deepStrictEqual(overrides.warnings, []);
  });

  it('warns about a variable naming a workflow id or a name that is no flow of the solutions', () => {
    const overrides = readFlowOverrides([variable(`activateflow.activate.removed.${GONE}`, 'true'), variable('owner.ownerEmail.Nobody', 'x@contoso.com')], FLOWS, 'Core, Sales', loc);
    assert.deepStrictEqual(overrides.warnings, [
      `FlowVariableUnknownId(activateflow.activate.removed.${GONE}|${GONE}|Core, Sales)`,
      'FlowVariableUnknownName(owner.ownerEmail.Nobody|Nobody|Core, Sales)',
    ]);
  });

  it('refuses an activate value that is not a boolean, naming the variable', () => {
    assert.throws(
      () => readFlowOverrides([variable(`activateflow.activate.other.${OTHER}`, 'maybe')], FLOWS, 'Core', loc),
      (e: unknown) => e instanceof UserError && e.message.includes(`activateflow.activate.other.${OTHER}`) && e.message.includes('maybe'),
    );
  });
});
