import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';
import { Simulator, startSimulator } from '../simulator';
import { AgentRunResult, assertNoSecretsVisible, describeRun, runAgentTask } from '../helpers/agent-runner';
import { CLIENT_SECRET, SERVICE_CONNECTION_ID, baseScenario, clientSecretEndpoint, simulatorVariables } from '../helpers/base-scenario';
import { CONTOSO_UNPACKED, readTree, tempDir, writeSolutionZip, zipLayout } from '../helpers/deployment-settings';

const STAGE_RUN = 'dddddddd-2222-4000-8000-000000000001';
const MIB = 1024 * 1024;
/** The agent's memory is bounded in these runs: a hostile file must fail cleanly within it. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=256' };

/** `size` bytes of `unit` repeated, between a head and a tail. */
function filled(head: string, unit: string, size: number, tail = ''): Uint8Array {
  const bytes = Buffer.alloc(size + head.length + tail.length);
  bytes.write(head, 0, 'latin1');
  bytes.fill(unit, head.length, head.length + size, 'latin1');
  bytes.write(tail, head.length + size, 'latin1');
  return bytes;
}

describe('DataverseDeploymentSettings@1 hardening', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let work: string;
  const contoso = () => zipLayout(readTree(CONTOSO_UNPACKED));

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({ stageRuns: [{ id: STAGE_RUN, deploymentsettingsjson: '', approverAppId: baseScenario().apps[0].appId }] }),
    });
    work = tempDir('settings-hardening-');
  });
  after(async () => {
    await sim?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => sim.clearLog());

  async function run(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<AgentRunResult> {
    const r = await runAgentTask({
      task: 'DataverseDeploymentSettingsV1',
      inputs: { PowerPlatformSPN: SERVICE_CONNECTION_ID, Validate: 'false', FailOnMissingValues: 'false', ...inputs },
      endpoint: clientSecretEndpoint(sim),
      variables: simulatorVariables(sim),
      caFile: sim.caFile,
      env,
    });
    assertNoSecretsVisible(r, [CLIENT_SECRET]);
    return r;
  }

  function zipOf(name: string, files: Record<string, Uint8Array>): string {
    const file = path.join(work, name);
    // Level 1 compresses the repeated filler about 200 to 1: a small file that inflates large.
    fs.writeFileSync(file, zipSync(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, [c, { level: 1 }]]))));
    return file;
  }

  it('a small zip whose solution.xml inflates to 64 MiB fails naming the file and the cap, within 256 MB', async () => {
    const zip = zipOf('bomb-manifest.zip', { ...contoso(), 'solution.xml': filled('<ImportExportXml><SolutionManifest>', '<a/>', 64 * MIB, '</SolutionManifest></ImportExportXml>') });
    assert.ok(fs.statSync(zip).size < 2 * MIB, 'the zip itself is small');
    const r = await run({ SolutionInputFile: zip, OutputFile: path.join(work, 'bomb-manifest.json') }, SMALL_HEAP);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /solution\.xml: \d+ bytes of XML would be parsed at once, more than the 16777216 characters allowed/);
    assert.ok(!fs.existsSync(path.join(work, 'bomb-manifest.json')));
  });

  it('a <connectionreferences> block that never ends fails at the cap, within 256 MB', async () => {
    const customizations = filled('<ImportExportXml><connectionreferences>', '<connectionreference/>', 96 * MIB);
    const zip = zipOf('bomb-block.zip', { ...contoso(), 'customizations.xml': customizations });
    const r = await run({ SolutionInputFile: zip, OutputFile: path.join(work, 'bomb-block.json') }, SMALL_HEAP);
    assert.strictEqual(r.result, 'Failed', describeRun(r));
    assert.match(r.resultMessage ?? '', /customizations\.xml: \d+ characters of XML would be parsed at once, more than the 16777216 allowed/);
  });

  it('a 96 MiB customizations.xml is streamed: its connection references are found within 256 MB', async () => {
    const original = contoso()['customizations.xml'];
    const text = Buffer.from(original).toString('utf8');
    const at = text.indexOf('<connectionreferences');
    const large = Buffer.concat([Buffer.from(text.slice(0, at)), filled('<entities>', '<entity name="x" />', 96 * MIB, '</entities>'), Buffer.from(text.slice(at))]);
    const zip = zipOf('large.zip', { ...contoso(), 'customizations.xml': large });
    const output = path.join(work, 'large.json');
    const r = await run({ SolutionInputFile: zip, OutputFile: output }, SMALL_HEAP);
    assert.notStrictEqual(r.result, 'Failed', describeRun(r));
    const settings = JSON.parse(fs.readFileSync(output, 'utf8')) as { ConnectionReferences: Array<{ LogicalName: string }> };
    assert.strictEqual(settings.ConnectionReferences.length, 4);
  });

  it('reads a customizations.xml in UTF-16 and settings files in UTF-8 with a BOM and in UTF-16 (Windows PowerShell Out-File)', async () => {
    const files = contoso();
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    files['customizations.xml'] = utf16(Buffer.from(files['customizations.xml']).toString('utf8').replace(/^\uFEFF/, ''));
    const zip = writeSolutionZip(path.join(work, 'utf16.zip'), files);
    const settings = JSON.stringify({ EnvironmentVariables: [{ SchemaName: 'contoso_RetryCount', Value: '7' }], ConnectionReferences: [] });
    for (const [name, bytes] of [
      ['utf8-bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(settings)])],
      ['utf16-bom.json', utf16(settings)],
    ] as const) {
      const settingsFile = path.join(work, name);
      fs.writeFileSync(settingsFile, bytes);
      const output = path.join(work, `out-${name}`);
      const r = await run({ SolutionInputFile: zip, SettingsFile: settingsFile, OutputFile: output });
      assert.notStrictEqual(r.result, 'Failed', `${name}: ${describeRun(r)}`);
      const written = JSON.parse(fs.readFileSync(output, 'utf8')) as { EnvironmentVariables: Array<{ SchemaName: string; Value: string }>; ConnectionReferences: unknown[] };
      assert.strictEqual(written.EnvironmentVariables.find((v) => v.SchemaName === 'contoso_RetryCount')?.Value, '7', name);
      assert.strictEqual(written.ConnectionReferences.length, 4, `${name}: the UTF-16 customizations.xml is read`);
    }
  });

  it('a solution name or version that holds agent commands is logged neutralised', async () => {
    const files = contoso();
    const manifest = Buffer.from(files['solution.xml']).toString('utf8').replace('<UniqueName>ContosoSettings</UniqueName>', '<UniqueName>##vso[task.setvariable variable=Injected]yes</UniqueName>');
    files['solution.xml'] = Buffer.from(manifest.replace('<Version>1.4.0.2</Version>', '<Version>##vso[task.complete result=Succeeded]</Version>'));
    const zip = writeSolutionZip(path.join(work, 'injected.zip'), files);
    const r = await run({ SolutionInputFile: zip, OutputFile: path.join(work, 'injected.json') });
    assert.strictEqual(r.outputs.Injected, undefined, 'no variable was set from the file');
    assert.strictEqual(r.commands.filter((c) => c.name === 'task.complete').length, 1, 'one result, the task’s own');
  });

  it('the approval is not re-sent after its answer was lost: the stage run is read first', async () => {
    sim.addFault({ method: 'POST', pathIncludes: 'UpdateApprovalStatus', kind: 'resetAfterApply', times: 1 });
    const r = await run({ Target: 'StageRun', StageRunId: STAGE_RUN, UpdateApproval: 'true' });
    sim.clearFaults();
    assert.strictEqual(r.result, 'Succeeded', describeRun(r));
    const approvals = sim.log.filter((e) => e.method === 'POST' && e.path.endsWith('UpdateApprovalStatus'));
    assert.strictEqual(approvals.length, 1, 'sent once');
    const read = sim.log.find((e) => e.method === 'GET' && e.seq > approvals[0].seq && e.path.includes(`deploymentstageruns(${STAGE_RUN})`));
    assert.ok(read, 'the stage run was read after the lost answer');
    assert.strictEqual(sim.state.snapshot().stageRuns.find((s) => s.id === STAGE_RUN)?.approvalStatus, 20);
  });
});
