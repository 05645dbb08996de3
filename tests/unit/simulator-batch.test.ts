import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ALICE, FLOW_IDS, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const api = '/api/data/v9.2';

interface Op {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  contentId?: string;
}

function part(op: Op): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (op.contentId) lines.push(`Content-ID: ${op.contentId}`);
  lines.push('', `${op.method} ${op.url} HTTP/1.1`);
  if (op.body !== undefined) lines.push('Content-Type: application/json; type=entry');
  for (const [k, v] of Object.entries(op.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('');
  if (op.body !== undefined) lines.push(JSON.stringify(op.body));
  return lines.join('\r\n');
}

/** Items are single requests or arrays (change sets). */
function batchBody(items: (Op | Op[])[]): { body: string; contentType: string } {
  const b = 'batch_test';
  let out = '';
  items.forEach((item, i) => {
    if (Array.isArray(item)) {
      const c = `changeset_${i}`;
      out += `--${b}\r\nContent-Type: multipart/mixed; boundary=${c}\r\n\r\n`;
      for (const op of item) out += `--${c}\r\n${part(op)}\r\n`;
      out += `--${c}--\r\n`;
    } else {
      out += `--${b}\r\n${part(item)}\r\n`;
    }
  });
  out += `--${b}--\r\n`;
  return { body: out, contentType: `multipart/mixed; boundary="${b}"` };
}

function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

describe('simulator: $batch', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let token: string;
  const missing = '0badc0de-0000-4000-8000-00000000f00d';

  beforeEach(async () => {
    sim = await startSimulator({ scenario: testScenario() });
    http = simClient(sim);
    token = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
  });
  afterEach(async () => {
    await sim.stop();
  });

  const send = (items: (Op | Op[])[], prefer?: string) => {
    const { body, contentType } = batchBody(items);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': contentType };
    if (prefer) headers.Prefer = prefer;
    return http.post(`${api}/$batch`, body, { headers, responseType: 'text', transformResponse: (x: unknown) => x });
  };
  const describeChild = (text: string): Op => ({ method: 'PATCH', url: `${api}/workflows(${FLOW_IDS.child})`, body: { description: text }, headers: { 'If-Match': '*' } });
  const failing: Op = { method: 'PATCH', url: `workflows(${missing})`, body: { description: 'x' }, headers: { 'If-Match': '*' } };

  it('runs GETs and writes, relative and absolute URLs, and answers 200 multipart with the parts in order', async () => {
    const r = await send([
      { method: 'GET', url: `${api}/WhoAmI` },
      { method: 'GET', url: `${sim.url}${api}/workflows(${FLOW_IDS.child})?$select=name` },
      [describeChild('in changeset')],
    ]);
    assert.strictEqual(r.status, 200);
    assert.match(String(r.headers['content-type']), /^multipart\/mixed; boundary=batchresponse_/);
    assert.deepStrictEqual(statuses(r.data), [200, 200, 204]);
    assert.match(r.data, /--changesetresponse_/);
    assert.match(r.data, /"name":"Child"/);
    assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, 'in changeset');
    const entry = sim.log.find((e) => e.path.endsWith('$batch'));
    assert.strictEqual(entry?.kind, 'write');
    assert.deepStrictEqual(entry?.batchParts?.map((p) => [p.method, p.status]), [['GET', 200], ['GET', 200], ['PATCH', 204]]);
  });

  it('classifies a batch of GETs as a read', async () => {
    await send([{ method: 'GET', url: 'WhoAmI' }, { method: 'GET', url: 'solutions?$select=uniquename' }]);
    assert.strictEqual(sim.log.find((e) => e.path.endsWith('$batch'))?.kind, 'read');
  });

  it('rolls back a change set when one of its operations fails and answers 400 with that part', async () => {
    const r = await send([[describeChild('rolled back'), failing]]);
    assert.strictEqual(r.status, 400);
    assert.deepStrictEqual(statuses(r.data), [404]);
    assert.match(r.data, /0x80040217/);
    assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, null, 'the first operation was undone');
  });

  it('stops at the first failure without continue-on-error', async () => {
    const r = await send([describeChild('first'), failing, describeChild('never')]);
    assert.strictEqual(r.status, 400);
    assert.deepStrictEqual(statuses(r.data), [404]);
    assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, 'first');
  });

  it('returns every result with Prefer odata.continue-on-error', async () => {
    const r = await send([[describeChild('rolled back'), failing], { method: 'GET', url: 'WhoAmI' }, [describeChild('applied')]], 'odata.continue-on-error');
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(statuses(r.data), [404, 200, 204]);
    assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, 'applied');
  });

  it('honours inner headers: CallerObjectId per operation, and activation rules inside a change set', async () => {
    const r = await send([
      [{ method: 'PATCH', url: `workflows(${FLOW_IDS.sharepoint})`, body: { statecode: 1, statuscode: 2 }, headers: { 'If-Match': '*', CallerObjectId: ALICE.objectId } }],
      [{ method: 'PATCH', url: `workflows(${FLOW_IDS.dvOnly})`, body: { statecode: 1, statuscode: 2 }, headers: { 'If-Match': '*', CallerObjectId: SVC.objectId } }],
    ]);
    assert.strictEqual(r.status, 200, r.data);
    assert.strictEqual(sim.state.activations.get(FLOW_IDS.sharepoint)?.by, ALICE.objectId);
    assert.strictEqual(sim.state.activations.get(FLOW_IDS.dvOnly)?.by, SVC.objectId);
    const parts = sim.log.find((e) => e.path.endsWith('$batch'))?.batchParts ?? [];
    assert.deepStrictEqual(parts.map((p) => p.effectiveUser), [ALICE.objectId, SVC.objectId]);
    assert.deepStrictEqual(parts.map((p) => p.callerObjectId), [ALICE.objectId, SVC.objectId]);
  });

  it('resolves Content-ID references within a change set and echoes Content-ID', async () => {
    const def = [...sim.state.table('environmentvariabledefinition').values()].find((d) => d.schemaname === 'contoso_Retries')?.environmentvariabledefinitionid;
    const r = await send([
      [
        { method: 'POST', url: 'environmentvariablevalues', contentId: '1', body: { value: '1', 'EnvironmentVariableDefinitionId@odata.bind': `environmentvariabledefinitions(${String(def)})` } },
        { method: 'PATCH', url: '$1', contentId: '2', body: { value: '5' }, headers: { 'If-Match': '*' } },
      ],
    ]);
    assert.strictEqual(r.status, 200, r.data);
    assert.deepStrictEqual(statuses(r.data), [204, 204]);
    assert.match(r.data, /Content-ID: 1/);
    assert.match(r.data, /Content-ID: 2/);
    assert.strictEqual(sim.state.snapshot().environmentVariables.find((e) => e.schemaName === 'contoso_Retries')?.value, '5');
  });

  it('refuses a GET inside a change set and more than 1000 requests', async () => {
    const g = await send([[{ method: 'GET', url: 'WhoAmI' }]]);
    assert.strictEqual(g.status, 400);
    const many = await send(Array.from({ length: 1001 }, () => ({ method: 'GET', url: 'WhoAmI' })));
    assert.strictEqual(many.status, 400);
    assert.match(many.data, /1000/);
  });
});
