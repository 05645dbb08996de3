import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { TaskHost, isUnresolvedMacro } from '../../tasks/common/task-host';
import { readInputs } from '../../tasks/DataverseDeploymentSettingsV1/modules/inputs';
import { taskLoc, tempDir } from '../helpers/deployment-settings';

/** Inputs as the agent hands them over: empty and unresolved-macro values count as not given. */
function hostWith(inputs: Record<string, string>, temp: string): TaskHost {
  const loc = taskLoc();
  const given = (name: string) => {
    const value = inputs[name]?.trim();
    return value && !isUnresolvedMacro(value) ? value : undefined;
  };
  const unused = () => {
    throw new Error('not used by readInputs');
  };
  return {
    input: given,
    filePathInput: given,
    variable: () => undefined,
    variables: () => [],
    endpointUrl: unused,
    endpointAuthorization: unused,
    setSecret: () => undefined,
    setOutput: () => undefined,
    info: () => undefined,
    remoteInfo: () => undefined,
    debug: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    uploadSummary: () => undefined,
    loc: (key, ...args) => {
      if (['InputRequired', 'InputInvalid'].includes(key)) return `${key}: ${args.join(' | ')}`;
      return loc(key, ...args);
    },
    tempDirectory: () => temp,
  };
}

describe('deployment settings: inputs', () => {
  let temp: string;
  before(() => {
    temp = tempDir('settings-inputs-');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const base = { PowerPlatformSPN: 'spn', SolutionInputFile: '/drop/s.zip' };
  const fails = (inputs: Record<string, string>, pattern: RegExp) => assert.throws(() => readInputs(hostWith(inputs, temp)), (e: Error) => e instanceof UserError && pattern.test(e.message));

  it('has the documented defaults', () => {
    const inputs = readInputs(hostWith(base, temp));
    assert.deepStrictEqual(inputs, {
      target: 'File',
      solutionPath: '/drop/s.zip',
      settingsPath: undefined,
      outputFile: path.join(temp, 'deploymentsettings.json'),
      owner: undefined,
      validate: true,
      failOnMissingValues: true,
      stageRunId: undefined,
      updateApproval: false,
    });
  });

  it('treats an OutputFile that still holds an unresolved macro as not given', () => {
    const inputs = readInputs(hostWith({ ...base, OutputFile: '$(Agent.TempDirectory)/deploymentsettings.json' }, temp));
    assert.strictEqual(inputs.outputFile, path.join(temp, 'deploymentsettings.json'));
    assert.strictEqual(readInputs(hostWith({ ...base, OutputFile: path.join(temp, 'x', 'out.json') }, temp)).outputFile, path.join(temp, 'x', 'out.json'));
  });

  it('refuses an OutputFile that is a folder', () => {
    fails({ ...base, OutputFile: temp }, /InputInvalid: OutputFile \| .* is a folder; give a file path such as .*deploymentsettings\.json/);
  });

  it('needs PowerPlatformSPN first, and a solution or settings file for Target File', () => {
    fails({ SolutionInputFile: '/drop/s.zip' }, /InputRequired: PowerPlatformSPN/);
    fails({ PowerPlatformSPN: 'spn' }, /InputRequired: SolutionInputFile \| Give the solution \.zip or unpacked folder, or a SettingsFile/);
    assert.strictEqual(readInputs(hostWith({ PowerPlatformSPN: 'spn', SettingsFile: '/s.json' }, temp)).settingsPath, '/s.json');
  });

  it('needs a GUID StageRunId for Target StageRun, braces and case tolerated', () => {
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun' }, /InputRequired: StageRunId/);
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun', StageRunId: '$(StageRunId)' }, /InputRequired: StageRunId/);
    fails({ PowerPlatformSPN: 'spn', Target: 'StageRun', StageRunId: '12345' }, /InputInvalid: StageRunId \| '12345' is not a GUID/);
    const inputs = readInputs(hostWith({ PowerPlatformSPN: 'spn', Target: 'stagerun', StageRunId: '{DDDDDDDD-1111-4000-8000-000000000001}', UpdateApproval: 'TRUE' }, temp));
    assert.deepStrictEqual([inputs.target, inputs.stageRunId, inputs.updateApproval, inputs.outputFile], ['StageRun', 'dddddddd-1111-4000-8000-000000000001', true, undefined]);
  });

  it('names a bad Target or boolean', () => {
    fails({ ...base, Target: 'Folder' }, /InputInvalid: Target \| 'Folder' is not File or StageRun/);
    fails({ ...base, Validate: 'yes' }, /InputInvalid: Validate \| 'yes' is not true or false/);
  });

  it('reads ConnectionOwner as a UPN or an object id', () => {
    assert.deepStrictEqual(readInputs(hostWith({ ...base, ConnectionOwner: 'Svc@Contoso.com' }, temp)).owner, { raw: 'Svc@Contoso.com', upn: 'svc@contoso.com' });
    assert.deepStrictEqual(readInputs(hostWith({ ...base, ConnectionOwner: 'AAAAAAAA-1111-4000-8000-000000000001' }, temp)).owner, {
      raw: 'AAAAAAAA-1111-4000-8000-000000000001',
      objectId: 'aaaaaaaa-1111-4000-8000-000000000001',
    });
  });
});
