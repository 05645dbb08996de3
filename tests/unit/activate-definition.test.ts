import * as assert from 'assert';
import { normaliseFlowId, readFlowDefinition } from '../../tasks/DataverseActivateFlowsV1/modules/definition';

const CHILD_A = '0F5B7A1C-2D3E-4F60-8A9B-0C1D2E3F4A5B';
const CHILD_B = '11111111-2d3e-4f60-8a9b-0c1d2e3f4a5b';
const CHILD_C = '22222222-2d3e-4f60-8a9b-0c1d2e3f4a5b';
const CHILD_D = '33333333-2d3e-4f60-8a9b-0c1d2e3f4a5b';
const CHILD_E = '44444444-2d3e-4f60-8a9b-0c1d2e3f4a5b';
const CHILD_F = '55555555-2d3e-4f60-8a9b-0c1d2e3f4a5b';

const childCall = (id: string) => ({ type: 'Workflow', inputs: { host: { workflowReferenceName: id }, body: { text: 'x' } } });

function clientdata(connectionReferences: Record<string, unknown>, actions: Record<string, unknown>): string {
  return JSON.stringify({
    properties: {
      connectionReferences,
      definition: { triggers: { manual: { type: 'Request' } }, actions },
    },
    schemaVersion: '1.0.0.0',
  });
}

describe('activate: reading a flow definition', () => {
  it('finds child flow calls nested in scopes, both branches of conditions, switches and loops', () => {
    const text = clientdata(
      {},
      {
        Top_call: childCall(`{${CHILD_A}}`),
        Scope: {
          type: 'Scope',
          actions: {
            Condition: {
              type: 'If',
              actions: { Yes: childCall(CHILD_B) },
              else: { actions: { No: childCall(CHILD_C) } },
            },
          },
        },
        Switch: {
          type: 'Switch',
          cases: { Case_1: { case: 'a', actions: { In_case: childCall(CHILD_D) } } },
          default: { actions: { In_default: childCall(CHILD_E) } },
        },
        Loop: { type: 'Foreach', actions: { Until: { type: 'Until', actions: { Deep: childCall(CHILD_F) } } } },
        Not_a_child: { type: 'OpenApiConnection', inputs: { host: { connectionName: 'shared_office365', operationId: 'SendEmailV2' } } },
        Duplicate: childCall(CHILD_B.toUpperCase()),
      },
    );
    const facts = readFlowDefinition(text);
    assert.strictEqual(facts.error, undefined);
    assert.deepStrictEqual([...facts.childFlowIds].sort(), [CHILD_A, CHILD_B, CHILD_C, CHILD_D, CHILD_E, CHILD_F].map((id) => id.toLowerCase()).sort());
  });

  it('reads the connection references the flow uses, run-only (invoker) ones marked, skipping entries without a reference', () => {
    const text = clientdata(
      {
        shared_office365: { runtimeSource: 'embedded', connection: { connectionReferenceLogicalName: 'contoso_Office365' }, api: { name: 'shared_office365' } },
        shared_office365_1: { runtimeSource: 'embedded', connection: { connectionReferenceLogicalName: 'contoso_office365' }, api: { name: 'shared_office365' } },
        shared_commondataserviceforapps: {
          runtimeSource: 'embedded',
          connection: { connectionReferenceLogicalName: 'contoso_dataverse' },
          api: { name: 'shared_commondataserviceforapps' },
        },
        shared_teams: { runtimeSource: 'invoker', connection: { connectionReferenceLogicalName: 'contoso_teams' }, api: { name: 'shared_teams' } },
        shared_sharepointonline: { runtimeSource: 'embedded', connection: {}, api: { name: 'shared_sharepointonline' } },
      },
      {},
    );
    const facts = readFlowDefinition(text);
    assert.deepStrictEqual(facts.connectionReferences, ['contoso_office365', 'contoso_dataverse', 'contoso_teams']);
    assert.deepStrictEqual(facts.invokerReferences, ['contoso_teams']);
    assert.strictEqual(facts.connectors.contoso_dataverse, 'shared_commondataserviceforapps');
    assert.strictEqual(facts.connectors.contoso_teams, 'shared_teams');
  });

  it('tolerates a byte order mark, an empty definition and no actions', () => {
    const facts = readFlowDefinition(`\uFEFF${JSON.stringify({ properties: { connectionReferences: {} } })}`);
    assert.deepStrictEqual(facts, { connectionReferences: [], invokerReferences: [], connectors: {}, childFlowIds: [] });
    assert.deepStrictEqual(readFlowDefinition(undefined).childFlowIds, []);
  });

  it('reports a definition that is not JSON', () => {
    const facts = readFlowDefinition('{"properties":');
    assert.ok(facts.error);
    assert.deepStrictEqual(facts.childFlowIds, []);
  });

  it('compares workflow ids case-insensitively without braces', () => {
    assert.strictEqual(normaliseFlowId(`{${CHILD_A}}`), CHILD_A.toLowerCase());
  });
});
