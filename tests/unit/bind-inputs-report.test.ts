import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { EndpointAuthorization, TaskHost, VariableEntry } from '../../tasks/common/task-host';
import { ConnectionInfo } from '../../tasks/common/connections';
import { agentHost, capture, quietly } from '../helpers/agent-host';
import { readInputs } from '../../tasks/DataverseBindConnectionReferencesV1/modules/inputs';
import { planBindings, PlanInput } from '../../tasks/DataverseBindConnectionReferencesV1/modules/plan';
import { buildItems, countItems } from '../../tasks/DataverseBindConnectionReferencesV1/modules/report';
import { ApplyResult } from '../../tasks/DataverseBindConnectionReferencesV1/modules/apply';
import { PlatformError } from '../../tasks/common/errors';

const SOURCES = path.join(os.tmpdir(), 'bind-sources');

class FakeHost implements TaskHost {
  warnings: string[] = [];
  constructor(private readonly inputs: Record<string, string>) {}
  input(name: string) {
    const value = this.inputs[name]?.trim();
    return value ? value : undefined;
  }
  filePathInput(name: string) {
    const value = this.input(name);
    return value && path.resolve(value) !== SOURCES ? value : undefined;
  }
  variable() {
    return undefined;
  }
  variables(): VariableEntry[] {
    return [];
  }
  endpointUrl() {
    return undefined;
  }
  endpointAuthorization(): EndpointAuthorization | undefined {
    return undefined;
  }
  setSecret() {}
  setOutput() {}
  info() {}
  remoteInfo() {}
  debug() {}
  warning(message: string) {
    this.warnings.push(message);
  }
  error() {}
  uploadSummary() {}
  loc(key: string, ...args: unknown[]) {
    return `${key}(${args.join('|')})`;
  }
  tempDirectory() {
    return os.tmpdir();
  }
}

const BASE = { PowerPlatformSPN: 'spn', SolutionName: 'ContosoCore' };
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bind-inputs-'));

/** The real agent host of the bundled task, with these inputs and the sources folder set. */
function agentWith(inputs: Record<string, string>) {
  return agentHost('DataverseBindConnectionReferencesV1', { inputs, variables: { 'System.DefaultWorkingDirectory': SOURCES }, tempDirectory: TEMP });
}

function inputError(inputs: Record<string, string>): string {
  try {
    quietly(() => readInputs(agentWith(inputs)));
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error.message;
  }
  assert.fail('expected a UserError');
}

const read = (inputs: Record<string, string>) => quietly(() => readInputs(agentWith(inputs)));

describe('bind connection references: inputs', () => {
  after(() => fs.rmSync(TEMP, { recursive: true, force: true }));

  it('names the service connection first, then the solution', () => {
    assert.match(inputError({}), /^Input 'PowerPlatformSPN' is required\./);
    assert.match(inputError({ PowerPlatformSPN: 'spn' }), /^Input 'SolutionName' is required\./);
  });

  it('takes the defaults of the contract', () => {
    const inputs = read({ ...BASE, SettingsFile: SOURCES });
    assert.strictEqual(inputs.impersonation, 'Auto');
    assert.strictEqual(inputs.failOnUnbound, true);
    assert.strictEqual(inputs.dryRun, false);
    assert.strictEqual(inputs.settingsFile, undefined, 'the sources folder means not given');
    assert.strictEqual(inputs.connectionOwner, undefined);
  });

  it('rejects an unknown Impersonation and a non-boolean, naming the input', () => {
    assert.strictEqual(inputError({ ...BASE, Impersonation: 'User' }), "Input 'Impersonation' is invalid: 'User' is not one of: Auto, ConnectionOwner, None.");
    assert.match(inputError({ ...BASE, DryRun: 'maybe' }), /^Input 'DryRun' is invalid: 'maybe' is not a boolean/);
    assert.match(inputError({ ...BASE, ConnectionOwner: 'not a user' }), /^Input 'ConnectionOwner' is invalid: 'not a user' is neither/);
    assert.strictEqual(read({ ...BASE, Impersonation: 'none' }).impersonation, 'None');
    assert.strictEqual(read({ ...BASE, DryRun: 'YES' }).dryRun, true);
  });

  it('reads connection ids from a settings file by logical name, case-insensitively, and says which value wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bind-inputs-'));
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        EnvironmentVariables: [],
        ConnectionReferences: [
          { LogicalName: 'Contoso_A', ConnectionId: 'one', ConnectorId: '' },
          { LogicalName: 'contoso_b', ConnectionId: '', ConnectorId: '' },
          { LogicalName: 'contoso_a', ConnectionId: 'two', ConnectorId: '' },
        ],
      }),
    );
    const { result: inputs, output } = capture(() => readInputs(agentWith({ ...BASE, SettingsFile: file, ConnectionOwner: 'Svc@Contoso.com' })));
    assert.deepStrictEqual([...inputs.settings], [['contoso_a', 'two']]);
    assert.strictEqual(output.split('\n').filter((line) => line.startsWith('##vso[task.issue type=warning')).length, 1);
    assert.deepStrictEqual(inputs.connectionOwner, { raw: 'Svc@Contoso.com', upn: 'svc@contoso.com' });
    assert.match(inputError({ ...BASE, SettingsFile: path.join(dir, 'missing.json') }), /^Input 'SettingsFile' \('.*missing\.json'\) cannot be used: the file does not exist/);
    fs.writeFileSync(file, '{ not json');
    assert.match(inputError({ ...BASE, SettingsFile: file }), /^Input 'SettingsFile' .* cannot be used: it is not valid JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('bind connection references: report items and counts', () => {
  const connections: ConnectionInfo[] = [
    { id: 'c-alice', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: 'alice' },
    { id: 'c-bob', connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: 'bob' },
  ];
  const planInput: PlanInput = {
    references: [
      { connectionreferenceid: '1', connectionreferencelogicalname: 'a', connectorid: 'shared_office365' },
      { connectionreferenceid: '2', connectionreferencelogicalname: 'b', connectorid: 'shared_office365', connectionid: 'c-bob' },
      { connectionreferenceid: '3', connectionreferencelogicalname: 'c', connectorid: 'shared_office365', connectionid: 'c-alice' },
      { connectionreferenceid: '4', connectionreferencelogicalname: 'd', connectorid: 'shared_office365' },
    ],
    settings: new Map([['a', 'c-alice'], ['b', 'c-alice'], ['c', 'c-alice']]),
    sources: { byLogicalName: () => undefined, byConnector: () => undefined, ownerFor: () => undefined },
    connections,
    users: [{ systemuserid: 'u1', azureactivedirectoryobjectid: 'alice' }, { systemuserid: 'u2', azureactivedirectoryobjectid: 'bob' }],
    impersonation: 'ConnectionOwner',
    failOnUnbound: false,
  };
  const plan = planBindings(planInput);
  const inputs = { solutionName: 'S', solutionNames: ['S'], settings: new Map(), impersonation: 'ConnectionOwner' as const, failOnUnbound: false, dryRun: false };
  const host = new FakeHost({});

  it('counts bound references after the run, those already bound included, and those left unbound', () => {
    const applied: ApplyResult[] = plan.toBind.map((item) => ({ item, outcome: 'bound' }));
    const run = { plan, stoppedByProblems: false, applied };
    const items = buildItems(host, inputs, run, 'https://env');
    assert.deepStrictEqual(items.map((i) => [i.name, i.outcome, i.actor]), [['a', 'bound', 'alice'], ['b', 'bound', 'alice'], ['c', 'unchanged', null], ['d', 'unchanged', null]]);
    assert.strictEqual(items[3].unbound, true);
    assert.deepStrictEqual(countItems(run, items), { bound: 3, unbound: 1, changed: 2, unchanged: 1 });
  });

  it('counts what a dry run would give', () => {
    const run = { plan, stoppedByProblems: false };
    const items = buildItems(host, { ...inputs, dryRun: true }, run, 'https://env');
    assert.deepStrictEqual(items.map((i) => i.outcome), ['wouldChange', 'wouldChange', 'unchanged', 'unchanged']);
    assert.deepStrictEqual(countItems(run, items), { bound: 3, unbound: 1, changed: 2, unchanged: 1 });
  });

  it('after a failure, counts the references as they were put back', () => {
    const failure = new PlatformError({ status: 503, code: '0x80040216', message: 'unavailable', method: 'PATCH', url: 'https://x' });
    const [first, second] = plan.toBind;
    const applied: ApplyResult[] = [
      { item: first, outcome: 'rolledBack' },
      { item: second, outcome: 'failed', error: failure },
    ];
    const run = { plan, stoppedByProblems: false, applied };
    const items = buildItems(host, inputs, run, 'https://env');
    assert.deepStrictEqual(items.map((i) => i.outcome), ['rolledBack', 'failed', 'unchanged', 'unchanged']);
    assert.strictEqual(items[1].error?.code, '0x80040216');
    assert.match(items[1].error?.hint ?? '', /^HintWriteTransient/);
    assert.deepStrictEqual(countItems(run, items), { bound: 1, unbound: 2, changed: 0, unchanged: 1 });
  });

  it('a reference that could not be put back stays bound to the new connection and is failed', () => {
    const failure = new PlatformError({ status: 403, code: '0x80040220', message: 'no', method: 'PATCH', url: 'https://x' });
    const [first, second] = plan.toBind;
    const applied: ApplyResult[] = [
      { item: first, outcome: 'rollbackFailed', error: failure },
      { item: second, outcome: 'notAttempted' },
    ];
    const run = { plan, stoppedByProblems: false, applied };
    const items = buildItems(host, inputs, run, 'https://env');
    assert.deepStrictEqual(items.map((i) => [i.outcome, i.notAttempted]), [['failed', undefined], ['unchanged', true], ['unchanged', undefined], ['unchanged', undefined]]);
    assert.match(items[0].error?.message ?? '', /^RollbackFailed\(c-alice\|/);
    assert.deepStrictEqual(countItems(run, items), { bound: 2, unbound: 1, changed: 0, unchanged: 1 });
  });
});
