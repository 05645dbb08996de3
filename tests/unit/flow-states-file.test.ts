import * as assert from 'assert';
import { decodeText } from '../../tasks/common/text-encoding';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import {
  FlowStates,
  FlowStatesText,
  MAX_FLOW_STATES_FILE_BYTES,
  flowStateOf,
  parseFlowStates,
  readFlowStatesFile,
  serializeFlowStates,
} from '../../tasks/common/flow-states-file';

const ENV = 'https://contoso-test.crm.dynamics.com';
const text: FlowStatesText = {
  invalid: (reason) => `FlowStatesFile 'states.json' cannot be used: ${reason}.`,
  otherEnvironment: (recorded, expected) => `FlowStatesFile 'states.json' was taken in ${recorded}, not ${expected}.`,
};

const sample: FlowStates = {
  schemaVersion: 1,
  environment: ENV,
  solutions: ['ContosoCore', 'ContosoSales'],
  takenAt: '2026-11-30T12:00:00.000Z',
  flows: [
    { workflowId: 'f1000000-0000-4000-8000-000000000001', name: 'Notify on new listing', state: 'on' },
    { workflowId: 'f1000000-0000-4000-8000-000000000002', name: 'SÆmpleØærligforsøk', state: 'off' },
    { workflowId: 'f1000000-0000-4000-8000-000000000003', name: 'Nightly cleanup', state: 'suspended' },
  ],
};

const parse = (value: unknown, environment = ENV) => parseFlowStates(typeof value === 'string' ? value : JSON.stringify(value), environment, text);
const withFlows = (flows: unknown[]) => ({ ...sample, flows });

describe('flow states file', () => {
  it('maps statecode 0, 1, 2 to off, on, suspended and nothing else', () => {
    assert.strictEqual(flowStateOf(0), 'off');
    assert.strictEqual(flowStateOf(1), 'on');
    assert.strictEqual(flowStateOf(2), 'suspended');
    assert.strictEqual(flowStateOf(3), undefined);
  });

  it('serialises in the contract key order with a 2-space indent, and parses back to the same', () => {
    const serialised = serializeFlowStates(sample);
    assert.match(serialised, /^\{\n {2}"schemaVersion": 1,\n {2}"environment": "https:\/\/contoso-test\.crm\.dynamics\.com",\n {2}"solutions": \[/);
    assert.deepStrictEqual(Object.keys(JSON.parse(serialised)), ['schemaVersion', 'environment', 'solutions', 'takenAt', 'flows']);
    assert.deepStrictEqual(Object.keys(JSON.parse(serialised).flows[0]), ['workflowId', 'name', 'state']);
    assert.ok(serialised.endsWith('}\n'));
    assert.deepStrictEqual(parse(serialised), sample);
  });

  it('accepts the same environment written differently and lower-cases workflow ids', () => {
    const states = parse({ ...withFlows([{ workflowId: 'F1000000-0000-4000-8000-00000000000A', name: 'x', state: 'on' }]), environment: 'HTTPS://Contoso-Test.crm.dynamics.com/' });
    assert.strictEqual(states.flows[0].workflowId, 'f1000000-0000-4000-8000-00000000000a');
  });

  it('refuses a file taken in another environment with its own message', () => {
    assert.throws(
      () => parse(sample, 'https://contoso-prod.crm.dynamics.com'),
      (error: Error) => error instanceof UserError && error.message === `FlowStatesFile 'states.json' was taken in ${ENV}, not https://contoso-prod.crm.dynamics.com.`,
    );
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"schemaVersion": 1,', /is not valid JSON/],
    ['not an object', '[]', /must be a JSON object/],
    ['another schema version', { ...sample, schemaVersion: 2 }, /schemaVersion is 2, and this version reads 1/],
    ['no schema version', { ...sample, schemaVersion: undefined }, /schemaVersion is missing/],
    ['an environment that is not a URL', { ...sample, environment: 'contoso' }, /'environment' must be the https URL/],
    ['solutions that are not names', { ...sample, solutions: ['a', ''] }, /'solutions' must be a list/],
    ['a takenAt that is not a date', { ...sample, takenAt: 'yesterday' }, /'takenAt' must be an ISO 8601/],
    ['flows that are not a list', { ...sample, flows: {} }, /'flows' must be a list/],
    ['a flow without a GUID', withFlows([{ workflowId: 'flow-1', name: 'x', state: 'on' }]), /flows\[0\]\.workflowId must be a workflow id/],
    ['a flow without a name', withFlows([{ workflowId: 'f1000000-0000-4000-8000-000000000001', state: 'on' }]), /flows\[0\]\.name must be a string/],
    ['an unknown state', withFlows([{ workflowId: 'f1000000-0000-4000-8000-000000000001', name: 'x', state: 'On' }]), /flows\[0\]\.state must be one of on, off, suspended/],
    [
      'a flow listed twice',
      withFlows([
        { workflowId: 'f1000000-0000-4000-8000-000000000001', name: 'x', state: 'on' },
        { workflowId: 'F1000000-0000-4000-8000-000000000001', name: 'x', state: 'off' },
      ]),
      /listed twice/,
    ],
  ];
  for (const [what, value, reason] of invalid) {
    it(`refuses ${what} with one message naming the file`, () => {
      assert.throws(
        () => parse(value),
        (error: Error) => error instanceof UserError && error.message.startsWith("FlowStatesFile 'states.json' cannot be used: ") && reason.test(error.message),
      );
    });
  }

  it('does not quote the file content when it is not JSON', () => {
    assert.throws(() => parse('{"secret-looking-text": '), (error: Error) => !error.message.includes('secret-looking-text'));
  });
});

describe('flow states file on disk', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-states-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const json = serializeFlowStates(sample);

  it('reads UTF-8 with and without a BOM and UTF-16 LE and BE with a BOM', () => {
    const utf16be = Buffer.from(`\uFEFF${json}`, 'utf16le').swap16();
    const files = [
      write('plain.json', Buffer.from(json, 'utf8')),
      write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')])),
      write('utf16le.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])),
      write('utf16be.json', utf16be),
    ];
    for (const file of files) assert.deepStrictEqual(readFlowStatesFile(file, ENV, text), sample, path.basename(file));
  });

  it('names a missing file and a folder', () => {
    assert.throws(() => readFlowStatesFile(path.join(dir, 'missing.json'), ENV, text), /cannot be used: the file does not exist/);
    assert.throws(() => readFlowStatesFile(dir, ENV, text), /cannot be used: it is not a file/);
  });

  it('refuses a file beyond the size bound without reading it', () => {
    const file = path.join(dir, 'huge.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_FLOW_STATES_FILE_BYTES + 1);
    assert.throws(() => readFlowStatesFile(file, ENV, text), /cannot be used: it is \d+ bytes, more than the \d+ a states file can be/);
  });

  it('decodes an empty buffer and a lone BOM to empty text', () => {
    assert.strictEqual(decodeText(new Uint8Array()), '');
    assert.strictEqual(decodeText(Buffer.from([0xff, 0xfe])), '');
  });
});
