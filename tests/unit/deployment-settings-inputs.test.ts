import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { AgentTaskHost, TaskHost } from '../../tasks/common/task-host';
import { agentHost, quietly } from '../helpers/agent-host';
import { readInputs } from '../../tasks/DataverseDeploymentSettingsV1/modules/inputs';
import { tempDir } from '../helpers/deployment-settings';

/** The real agent host, with the inputs as the agent hands them over. */
function hostWith(inputs: Record<string, string>, temp: string): AgentTaskHost {
  return agentHost('DataverseDeploymentSettingsV1', { inputs, tempDirectory: temp });
}

describe('deployment settings: inputs', () => {
  let temp: string;
  before(() => {
    temp = tempDir('settings-inputs-');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const read = (host: TaskHost) => quietly(() => readInputs(host));
  const base = { PowerPlatformSPN: 'spn', SolutionInputFile: '/drop/s.zip' };
  const fails = (inputs: Record<string, string>, pattern: RegExp) => assert.throws(() => quietly(() => readInputs(hostWith(inputs, temp))), (e: Error) => e instanceof UserError && pattern.test(e.message));

  it('has the documented defaults', () => {
    const inputs = read(hostWith(base, temp));
    assert.deepStrictEqual(inputs, {
      target: 'File',
      solutionPath: '/drop/s.zip',
      settingsPath: undefined,
      outputFile: path.join(temp, 'deploymentsettings.json'),
      owner: undefined,
      validate: true,
      failOnMissingValues: true,
      updateApproval: false,
    });
  });

  it('treats an OutputFile that still holds an unresolved macro as not given', () => {
    const inputs = read(hostWith({ ...base, OutputFile: '$(Agent.TempDirectory)/deploymentsettings.json' }, temp));
    assert.strictEqual(inputs.outputFile, path.join(temp, 'deploymentsettings.json'));
    assert.strictEqual(read(hostWith({ ...base, OutputFile: path.join(temp, 'x', 'out.json') }, temp)).outputFile, path.join(temp, 'x', 'out.json'));
  });

  it('refuses an OutputFile that is a folder', () => {
    fails({ ...base, OutputFile: temp }, /Input 'OutputFile' is invalid: .* is a folder; give a file path such as .*deploymentsettings\.json/);
  });

  it('needs PowerPlatformSPN first, and a solution or settings file for Target File', () => {
    fails({ SolutionInputFile: '/drop/s.zip' }, /Input 'PowerPlatformSPN' is required/);
    fails({ PowerPlatformSPN: 'spn' }, /Input 'SolutionInputFile' is required\. Give the solution \.zip or unpacked folder, or a SettingsFile/);
    assert.strictEqual(read(hostWith({ PowerPlatformSPN: 'spn', SettingsFile: '/s.json' }, temp)).settingsPath, '/s.json');
  });

  it('needs a GUID StageRunId for Target StageRun, braces and case tolerated', () => {
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun' }, /Input 'StageRunId' is required/);
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun', StageRunId: '$(StageRunId)' }, /Input 'StageRunId' is required/);
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun', StageRunId: '12345' }, /Input 'StageRunId' is invalid: '12345' is not a GUID/);
    const inputs = read(hostWith({ PowerPlatformSPN: 'spn', Target: 'stagerun', StageRunId: '{DDDDDDDD-1111-4000-8000-000000000001}', UpdateApproval: 'TRUE' }, temp));
    assert.deepStrictEqual([inputs.target, inputs.stageRunId, inputs.updateApproval, inputs.outputFile], ['StageRun', 'dddddddd-1111-4000-8000-000000000001', true, undefined]);
  });

  it('names a bad Target or boolean', () => {
    fails({ ...base, Target: 'Folder' }, /^Input 'Target' is invalid: 'Folder' is not one of: File, StageRun\.$/);
    fails({ ...base, Validate: 'maybe' }, /^Input 'Validate' is invalid: 'maybe' is not a boolean; use one of true, yes, 1, false, no, 0\.$/);
    assert.strictEqual(read(hostWith({ ...base, Validate: 'No' }, temp)).validate, false, 'one boolean grammar in every task');
  });

  it('accepts only the options task.json declares for a pick list', () => {
    const host = hostWith(base, temp);
    assert.deepStrictEqual(host.inputOptions('Target'), ['File', 'StageRun']);
  });

  it('reads ConnectionOwner as a UPN or an object id', () => {
    assert.deepStrictEqual(read(hostWith({ ...base, ConnectionOwner: 'Svc@Contoso.com' }, temp)).owner, { raw: 'Svc@Contoso.com', upn: 'svc@contoso.com' });
    assert.deepStrictEqual(read(hostWith({ ...base, ConnectionOwner: 'AAAAAAAA-1111-4000-8000-000000000001' }, temp)).owner, {
      raw: 'AAAAAAAA-1111-4000-8000-000000000001',
      objectId: 'aaaaaaaa-1111-4000-8000-000000000001',
    });
  });
});
