import * as assert from 'assert';
import { Simulator, startSimulator } from '../simulator';
import { assertNoSecretsVisible, describeRun } from '../helpers/agent-runner';
import { CLIENT_SECRET, baseScenario, managedIdentityEndpoint, managedIdentityEnv } from '../helpers/base-scenario';
import { ALICE, connectionOf, references, runActivate, solutionFlows } from '../helpers/activate-scenario';
import { startConnectProxy, startRecordingServer } from '../helpers/network-doubles';

const SOLUTION = 'EdgeFlows';
const outlook = { logicalName: 'edge_outlook', api: 'shared_office365' };

function scenario() {
  const base = baseScenario();
  return baseScenario({
    users: [...base.users, ALICE],
    connections: [connectionOf('conn-outlook', outlook.api, ALICE)],
    solutions: [{ uniqueName: SOLUTION }],
    connectionReferences: references(SOLUTION, [{ ...outlook, connection: 'conn-outlook' }]),
    flows: solutionFlows(SOLUTION, 1, [{ n: 1, name: 'Send the digest', uses: [outlook] }]),
  });
}

describe('Endpoints and origins (CONTRACT §2.2): tokens and secrets stay where they belong', function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({ scenario: scenario() });
  });
  afterEach(async () => sim?.stop());

  it('turns the flow on when nothing is tampered with (the baseline of the tests below)', async () => {
    const run = await runActivate(sim, { SolutionName: SOLUTION });
    assert.strictEqual(run.result, 'Succeeded', describeRun(run));
    assert.ok(sim.log.some((entry) => entry.api === 'admin'), 'the connections were listed');
    assertNoSecretsVisible(run, [CLIENT_SECRET]);
  });

  for (const variable of ['PowerPlatform.AuthorityHost', 'PowerPlatform.PowerAppsApiUrl', 'PowerPlatform.BapApiUrl', 'PowerPlatform.PowerAppsAudience']) {
    it(`fails before any request when ${variable} names a foreign host`, async () => {
      const run = await runActivate(sim, { SolutionName: SOLUTION }, { variables: { [variable]: 'https://login.contoso-tokens.example' } });
      assert.strictEqual(run.result, 'Failed', describeRun(run));
      assert.ok(run.resultMessage?.includes(variable), describeRun(run));
      assert.ok(run.resultMessage?.includes('PowerPlatform.AllowCustomEndpoints'), describeRun(run));
      assert.deepStrictEqual(sim.log, [], 'no request reached any service');
      assertNoSecretsVisible(run, [CLIENT_SECRET]);
    });
  }

  it('refuses an override over plain http even on loopback', async () => {
    const run = await runActivate(sim, { SolutionName: SOLUTION }, { variables: { 'PowerPlatform.AuthorityHost': sim.urls.authority.replace('https:', 'http:') } });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.ok(run.resultMessage?.includes('PowerPlatform.AuthorityHost'), describeRun(run));
    assert.deepStrictEqual(sim.log, []);
  });

  for (const api of ['dataverse', 'admin'] as const) {
    it(`refuses a ${api} next-page link to another origin and sends nothing there`, async () => {
      const foreign = await startRecordingServer();
      try {
        sim.setResponseHook((request, response) => {
          if (request.method !== 'GET' || request.api !== api || response.status !== 200) return undefined;
          if (api === 'dataverse' && !request.path.endsWith('/solutions')) return undefined;
          const body = response.body as Record<string, unknown>;
          const link = `${foreign.origin}${request.path}?page=2`;
          return { ...response, body: { ...body, [api === 'dataverse' ? '@odata.nextLink' : 'nextLink']: link } };
        });
        const run = await runActivate(sim, { SolutionName: SOLUTION });
        assert.strictEqual(run.result, 'Failed', describeRun(run));
        assert.match(run.resultMessage ?? '', /next-page link to another address/, describeRun(run));
        assert.ok(run.resultMessage?.includes(foreign.origin), describeRun(run));
        assert.strictEqual(foreign.connections(), 0, 'the other origin received nothing');
        assert.ok(!sim.log.some((entry) => entry.kind === 'write'), 'nothing was changed');
        assertNoSecretsVisible(run, [CLIENT_SECRET]);
      } finally {
        await foreign.close();
      }
    });
  }

  it('refuses a next-page link that repeats', async () => {
    sim.setResponseHook((request, response) => {
      if (request.method !== 'GET' || request.api !== 'admin' || response.status !== 200) return undefined;
      return { ...response, body: { ...(response.body as object), nextLink: `${sim.urls.admin}${request.path}?${request.query}` } };
    });
    const run = await runActivate(sim, { SolutionName: SOLUTION });
    assert.strictEqual(run.result, 'Failed', describeRun(run));
    assert.match(run.resultMessage ?? '', /same next page twice/, describeRun(run));
    assert.strictEqual(sim.log.filter((entry) => entry.api === 'admin').length, 1);
  });

  it('never sends managed identity (IMDS) token requests through the agent proxy', async () => {
    const proxy = await startConnectProxy();
    try {
      const run = await runActivate(
        sim,
        { SolutionName: SOLUTION },
        { endpoint: managedIdentityEndpoint(sim), variables: { 'Agent.ProxyUrl': proxy.url }, env: managedIdentityEnv(sim) },
      );
      assert.strictEqual(run.result, 'Succeeded', describeRun(run));
      assert.ok(sim.log.some((entry) => entry.api === 'imds'), 'the token came from IMDS');
      assert.ok(proxy.tunnels.includes(new URL(sim.urls.dataverse).host), 'Dataverse requests went through the proxy');
      assert.ok(!proxy.tunnels.includes(new URL(sim.urls.imds).host), `IMDS was reached through the proxy: ${proxy.tunnels.join(', ')}`);
    } finally {
      await proxy.close();
    }
  });

  it('prints no proxy password with DEBUG=* (the bundled debug module is silent)', async () => {
    const proxy = await startConnectProxy();
    const password = 'Pr0xy:S3cret@pass';
    try {
      const run = await runActivate(
        sim,
        { SolutionName: SOLUTION },
        {
          variables: { 'Agent.ProxyUrl': proxy.url, 'Agent.ProxyUsername': 'builder' },
          secretVariables: { 'Agent.ProxyPassword': password },
          env: { DEBUG: '*' },
        },
      );
      assert.strictEqual(run.result, 'Succeeded', describeRun(run));
      assert.ok(proxy.tunnels.length > 0, 'the proxy was used');
      // task-lib echoes every variable it reads as a debug line; the agent masks this one, as it
      // knows the proxy password. What `debug` would print is the proxy URL, on stderr.
      // The setsecret commands tell the agent what to mask and are never shown.
      const agentMasked = (line: string) => line.startsWith('##vso[task.debug]Agent.ProxyPassword=') || line.includes('##vso[task.setsecret]');
      const everything = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).filter((line) => !agentMasked(line)).join('\n');
      assert.ok(!run.stderr.includes('https-proxy-agent'), 'the debug module printed');
      for (const form of [password, encodeURIComponent(password), Buffer.from(`builder:${password}`).toString('base64')]) {
        assert.ok(!everything.includes(form), `the proxy password is visible as ${form.slice(0, 4)}…`);
      }
      assert.ok(run.commands.some((c) => c.name === 'task.setsecret' && c.data === password), 'the proxy password is registered as a secret');
      assertNoSecretsVisible({ ...run, visibleText: run.visibleText.split(/\r?\n/).filter((line) => !agentMasked(line)).join('\n') }, [CLIENT_SECRET, password]);
    } finally {
      await proxy.close();
    }
  });
});
