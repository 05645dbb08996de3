import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator } from '../simulator';
import { HttpClient } from '../../tasks/common/http-client';
import { TokenProvider } from '../../tasks/common/auth';
import { DataverseClient } from '../../tasks/common/dataverse';
import { cloudEndpoints } from '../../tasks/common/cloud';
import { agentNetworkSettings } from '../../tasks/common/network';
import { APP_ID, baseScenario, CLIENT_SECRET, TENANT_ID } from '../helpers/base-scenario';
import { startConnectProxy } from '../helpers/network-doubles';

describe('agent proxy and CA settings', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario: baseScenario() });
  });
  after(async () => sim?.stop());

  it("reads Agent.ProxyUrl, the bypass list and Agent.CAInfo from the agent's variables", () => {
    const variables: Record<string, string> = {
      'Agent.ProxyUrl': 'http://proxy.contoso.com:8080',
      'Agent.ProxyUsername': 'u',
      'Agent.ProxyPassword': 'p',
      'Agent.ProxyBypassList': '["\\\\.internal\\\\.contoso\\\\.com"]',
      'Agent.CAInfo': sim.caFile,
    };
    const settings = agentNetworkSettings((name) => variables[name]);
    assert.strictEqual(settings.proxy?.url, 'http://proxy.contoso.com:8080');
    assert.ok(settings.proxy?.bypass[0].test('https://org.internal.contoso.com/api'));
    assert.strictEqual(settings.extraCa?.length, 1);
    assert.strictEqual(settings.rejectUnauthorized, true);
  });

  it('sends token and Dataverse requests through the proxy, and bypasses it when listed', async () => {
    const proxy = await startConnectProxy();
    const make = (bypass: RegExp[]) => {
      const client = new HttpClient({
        network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')], proxy: { url: proxy.url, bypass } },
      });
      const tokens = new TokenProvider(
        { scheme: 'ClientSecret', tenantId: TENANT_ID, clientId: APP_ID, clientSecret: CLIENT_SECRET },
        cloudEndpoints('127.0.0.1', { authorityHost: sim.url }),
        client,
        () => undefined,
        (resource, reason) => `${resource}: ${reason}`,
      );
      return { client, dataverse: new DataverseClient(client, sim.url, tokens.source(sim.url)) };
    };
    try {
      const proxied = make([]);
      await proxied.dataverse.whoAmI();
      proxied.client.close();
      assert.ok(proxy.tunnels.length >= 1, 'requests went through the proxy');
      assert.ok(proxy.tunnels.every((target) => target === new URL(sim.url).host));
      sim.clearLog();
      const tunnelsBefore = proxy.tunnels.length;
      const bypassed = make([/127\.0\.0\.1/]);
      await bypassed.dataverse.whoAmI();
      bypassed.client.close();
      assert.strictEqual(proxy.tunnels.length, tunnelsBefore, 'bypassed hosts are reached directly');
      assert.ok(sim.log.some((entry) => entry.api === 'token' && entry.method === 'POST'), 'the token request was made (directly)');
    } finally {
      await proxy.close();
    }
  });
});
