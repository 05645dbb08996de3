// The shared chassis: the one input grammar, the neutralising writer, JUnit output, private files,
// refused Username/password connections and secret variables registered as secrets.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { InputReader } from '../../tasks/common/input-reader';
import { junitXml } from '../../tasks/common/junit';
import { Outcome, failuresFirst, outcomeLabel } from '../../tasks/common/report';
import { neutralise, neutraliseLine } from '../../tasks/common/remote-text';
import { readCredentials } from '../../tasks/common/credentials';
import { writeFileAtomic } from '../../tasks/common/files';
import { TaskHost } from '../../tasks/common/task-host';
import { isGuid, normaliseGuid, parseBoolean, parseUserRef, splitLines, splitList } from '../../tasks/common/task-inputs';
import { agentHost, capture } from '../helpers/agent-host';

/** A host with given inputs and task.json options; messages as `Key(args)`. */
function hostWith(inputs: Record<string, string>, options: Record<string, string[]> = {}, endpoint?: { scheme: string; parameters: Record<string, string> }): TaskHost {
  return {
    input: (name) => inputs[name],
    filePathInput: (name) => inputs[name],
    variable: () => undefined,
    variables: () => [],
    endpointUrl: () => undefined,
    endpointAuthorization: () => endpoint,
    setSecret: () => undefined,
    setOutput: () => undefined,
    info: () => undefined,
    remoteInfo: () => undefined,
    debug: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    uploadSummary: () => undefined,
    loc: (key, ...args) => `${key}(${args.join('|')})`,
    tempDirectory: () => os.tmpdir(),
    inputOptions: (name) => options[name],
  };
}

const message = (body: () => unknown): string => {
  try {
    body();
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error.message;
  }
  return assert.fail('expected a UserError');
};

describe('chassis: the one input grammar', () => {
  it('reads booleans as true/yes/1 and false/no/0 in any case, and nothing else', () => {
    for (const word of ['true', 'YES', '1', ' Yes ']) assert.strictEqual(parseBoolean(word, false), true, word);
    for (const word of ['false', 'No', '0']) assert.strictEqual(parseBoolean(word, true), false, word);
    assert.strictEqual(parseBoolean(undefined, true), true);
    assert.strictEqual(parseBoolean('', false), false);
    assert.strictEqual(parseBoolean('maybe', false), undefined);
    assert.strictEqual(message(() => new InputReader(hostWith({ DryRun: 'on' })).boolean('DryRun', false)), 'InputInvalid(DryRun|BooleanInvalid(on|true, yes, 1, false, no, 0))');
  });

  it('splits lists on commas and new lines; names one a line', () => {
    assert.deepStrictEqual(splitList(' A, B\r\n\nC ,'), ['A', 'B', 'C']);
    assert.deepStrictEqual(splitLines('Flow, with comma\n  Other \n'), ['Flow, with comma', 'Other']);
    assert.deepStrictEqual(new InputReader(hostWith({ SolutionName: 'Core, core\nExtra,CORE' })).distinctList('SolutionName'), ['Core', 'Extra'], 'each once, as first given');
  });

  it('reads GUIDs (braces tolerated) and users as object id or UPN', () => {
    assert.ok(isGuid('AAAAAAAA-1111-4000-8000-000000000001'));
    assert.strictEqual(normaliseGuid('{AAAAAAAA-1111-4000-8000-000000000001}'), 'aaaaaaaa-1111-4000-8000-000000000001');
    assert.strictEqual(normaliseGuid('12345'), undefined);
    assert.deepStrictEqual(parseUserRef('Svc@Contoso.com'), { kind: 'upn', upn: 'svc@contoso.com', raw: 'Svc@Contoso.com' });
    assert.strictEqual(parseUserRef('just a name'), undefined);
    assert.strictEqual(message(() => new InputReader(hostWith({ Id: 'x' })).guid('Id', 'Hint')), 'InputInvalid(Id|GuidInvalid(x))');
  });

  it('accepts only the pick-list options the loaded task.json declares', () => {
    const reader = new InputReader(hostWith({ Impersonation: 'user' }, { Impersonation: ['ConnectionOwner', 'None'] }));
    assert.strictEqual(message(() => reader.pick('Impersonation', ['ConnectionOwner', 'User', 'None'] as const, 'ConnectionOwner')), 'InputInvalid(Impersonation|OptionInvalid(user|ConnectionOwner, None))');
    assert.strictEqual(new InputReader(hostWith({ Impersonation: 'none' })).pick('Impersonation', ['ConnectionOwner', 'None'] as const, 'ConnectionOwner'), 'None');
  });

  it('reads whole numbers within a range only', () => {
    const read = (raw: string) => new InputReader(hostWith({ MaxParallel: raw })).integer('MaxParallel', { min: 1, max: 32, fallback: 8 });
    assert.strictEqual(read('32'), 32);
    for (const raw of ['0', '33', '1.5', '-1', '8x']) assert.match(message(() => read(raw)), /^InputInvalid\(MaxParallel\|IntegerInvalid/);
  });
});

describe('chassis: the neutralising writer', () => {
  it('makes ##vso[ and ##[ inert anywhere, and folds lines', () => {
    const text = 'a ##vso[task.setvariable variable=X]y\n##[error]z ##VSO[task.complete]';
    assert.ok(!/##vso\[|##\[/i.test(neutralise(text)));
    assert.ok(!/[\r\n]/.test(neutraliseLine(text)));
  });

  it('folds a long blank run in linear time', () => {
    const blanks = `x${' '.repeat(200_000)}y\n${'\t'.repeat(200_000)}z`;
    const started = process.hrtime.bigint();
    assert.strictEqual(neutraliseLine(blanks, 10), `x${' '.repeat(9)}…`);
    // Quadratic folding takes many seconds on this input; linear takes milliseconds.
    assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  });

  it('the agent host prints every line through the writer', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'chassis-'));
    const host = agentHost('DataverseActivateFlowsV1', { inputs: {}, tempDirectory: temp });
    const { output } = capture(() => host.info('Connected to ##vso[task.setvariable variable=PowerPlatform.PowerAppsApiUrl]https://elsewhere\n##[error]x'));
    assert.ok(!/##vso\[|^##\[/m.test(output), output);
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('registers a secret variable as a secret as soon as it is read', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'chassis-'));
    const host = agentHost('DataverseBindConnectionReferencesV1', { inputs: {}, secretVariables: { 'ConnectionReference.x': 'secret-connection-id' }, tempDirectory: temp });
    const { result, output } = capture(() => host.variable('ConnectionReference.x'));
    assert.strictEqual(result, 'secret-connection-id');
    assert.ok(output.includes('##vso[task.setsecret]secret-connection-id'), output);
    fs.rmSync(temp, { recursive: true, force: true });
  });
});

describe('chassis: results and files', () => {
  it('writes one escaped JUnit test case per item, failed/blocked/unhealthy as failures', () => {
    const xml = junitXml('Task', [
      { kind: 'flow', name: 'A & <B> "##vso[x]"', id: null, outcome: 'activated', actor: null, error: null },
      { kind: 'flow', name: 'C', id: '1', outcome: 'failed', actor: null, error: { code: 'Code1', message: 'broken <here>', hint: "fix 'it'" } },
      { kind: 'connection', name: 'D', id: null, outcome: 'unhealthy', actor: null, error: null },
      { kind: 'flow', name: 'E', id: null, outcome: 'blocked', actor: null, error: { code: 'Blocked', message: 'by C' } },
    ]);
    assert.strictEqual((xml.match(/<testcase /g) ?? []).length, 4);
    assert.strictEqual((xml.match(/<failure /g) ?? []).length, 3);
    assert.ok(xml.includes('A &amp; &lt;B&gt; &quot;#\u200b#vso[x]&quot;'));
    assert.ok(xml.includes('type="Code1"') && xml.includes('broken &lt;here&gt;') && xml.includes('fix &apos;it&apos;'));
    assert.ok(!xml.includes('##vso['));
  });

  it('writes files readable by the owner only, through an unpredictable temporary name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chassis-files-'));
    const file = path.join(dir, 'settings.json');
    writeFileAtomic(file, '{}');
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepStrictEqual(fs.readdirSync(dir), ['settings.json'], 'no temporary file left');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a Username/password service connection with a clear message', () => {
    const host = hostWith({}, {}, { scheme: 'UsernamePassword', parameters: { username: 'u', password: 'p' } });
    assert.strictEqual(message(() => readCredentials(host, 'spn')), 'UsernamePasswordUnsupported()');
  });
});

describe('chassis: summary order and words', () => {
  it('puts failed, blocked and unhealthy items first and names every outcome in words', () => {
    const items = (['activated', 'blocked', 'unchanged', 'failed', 'unhealthy'] as const).map((outcome) => ({ outcome }));
    assert.deepStrictEqual(failuresFirst(items).map((i) => i.outcome), ['blocked', 'failed', 'unhealthy', 'activated', 'unchanged']);
    const shared = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'tasks', 'common', 'messages.json'), 'utf8')) as Record<string, string>;
    const outcomes: Outcome[] = ['activated', 'deactivated', 'alreadyInState', 'bound', 'unchanged', 'set', 'wouldChange', 'failed', 'blocked', 'rolledBack', 'recorded', 'healthy', 'unhealthy', 'warning'];
    for (const outcome of outcomes) assert.ok(shared[outcomeLabel({ loc: (key) => key }, outcome)], outcome);
  });
});
