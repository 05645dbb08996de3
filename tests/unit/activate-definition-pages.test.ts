import * as assert from 'assert';
import { startSimulator, Simulator } from '../simulator';
import { HttpClient } from '../../tasks/common/http-client';
import { DataverseClient } from '../../tasks/common/dataverse';
import { CloudFlowRecord, DEFINITIONS_PER_PAGE, listSolutionCloudFlows, mapSolutionCloudFlows } from '../../tasks/common/solution-queries';
import { toFlowFacts } from '../../tasks/DataverseActivateFlowsV1/modules/facts';
import { baseScenario } from '../helpers/base-scenario';
import { simulatorDataverse } from '../helpers/simulator-dataverse';
import { flowId, solutionFlows } from '../helpers/activate-scenario';

const FLOWS = DEFINITIONS_PER_PAGE * 2 + 5;

describe('flow definitions are read page by page and kept only as facts', () => {
  let sim: Simulator;
  let http: HttpClient;
  let dataverse: DataverseClient;

  before(async () => {
    const specs = Array.from({ length: FLOWS }, (_, i) => ({ n: i + 1, name: `Flow ${i + 1}`, uses: [{ logicalName: 'contoso_shared_sql', api: 'shared_sql' }], children: i > 0 ? [i] : [] }));
    sim = await startSimulator({ scenario: baseScenario({ solutions: [{ uniqueName: 'Large' }], flows: solutionFlows('Large', 3, specs) }) });
    ({ http, dataverse } = simulatorDataverse(sim));
  });
  after(async () => {
    http?.close();
    await sim?.stop();
  });
  beforeEach(() => sim.clearLog());

  const workflowReads = () => sim.log.filter((e) => e.kind === 'read' && e.path.endsWith('/workflows')).length;

  it('maps each page before the next one is requested, and keeps no definition text', async () => {
    const pageOfEachFlow: number[] = [];
    const facts = await mapSolutionCloudFlows(dataverse, 'Large', (record: CloudFlowRecord) => {
      assert.ok(record.clientdata, 'the definition arrives with its page');
      pageOfEachFlow.push(workflowReads());
      return toFlowFacts(record);
    });
    assert.strictEqual(facts.length, FLOWS);
    assert.strictEqual(workflowReads(), 3);
    // Every flow of a page is mapped while that page is the last one read.
    assert.deepStrictEqual([...new Set(pageOfEachFlow)], [1, 2, 3]);
    assert.strictEqual(pageOfEachFlow.filter((page) => page === 1).length, DEFINITIONS_PER_PAGE);
    assert.ok(facts.every((f) => !('clientdata' in f) && !JSON.stringify(f).includes('"actions"')), 'only facts are kept');
    const last = facts.find((f) => f.id === flowId(3, FLOWS));
    assert.deepStrictEqual(last?.definition.childFlowIds, [flowId(3, FLOWS - 1)]);
    assert.deepStrictEqual(last?.definition.connectionReferences, ['contoso_shared_sql']);
  });

  it('leaves the definitions out when asked, reading all the flows in one page', async () => {
    const records = await listSolutionCloudFlows(dataverse, 'Large', { withDefinitions: false });
    assert.strictEqual(records.length, FLOWS);
    assert.ok(records.every((r) => r.clientdata === undefined));
    assert.strictEqual(workflowReads(), 1);
  });
});
