import * as assert from 'assert';
import * as https from 'https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AgentPool } from '../../tasks/common/network';
import { cloudEndpoints, isTrustedEndpointHost } from '../../tasks/common/cloud';
import { endpointOverrides } from '../../tasks/common/environment';
import { odataString } from '../../tasks/common/dataverse';
import { MAX_PAGES, PageWalk } from '../../tasks/common/paging';
import { UserError } from '../../tasks/common/errors';
import { TaskHost } from '../../tasks/common/task-host';

/** Only what endpointOverrides reads: pipeline variables and messages. */
function hostWith(variables: Record<string, string>): TaskHost {
  return { variable: (name: string) => variables[name], loc: (key: string, ...args: unknown[]) => `${key}(${args.join('|')})` } as unknown as TaskHost;
}

describe('endpoint overrides (CONTRACT §2.2)', () => {
  it('trusts the hosts of the five clouds, their subdomains and loopback, nothing else', () => {
    for (const host of [
      'login.microsoftonline.com',
      'login.microsoftonline.us',
      'login.chinacloudapi.cn',
      'api.powerapps.com',
      'unitedstates.api.powerapps.com',
      'api.bap.microsoft.com',
      'gov.api.bap.microsoft.us',
      'high.api.powerapps.us',
      'api.apps.appsplatform.us',
      'api.bap.partner.microsoftonline.cn',
      'service.powerapps.com',
      'LOGIN.MICROSOFTONLINE.COM',
      '127.0.0.1',
      '[::1]',
      'localhost',
    ]) {
      assert.ok(isTrustedEndpointHost(host), host);
    }
    for (const host of ['login.microsoftonline.com.evil.example', 'evilapi.powerapps.com', 'powerapps.com', 'microsoft.com', '127.0.0.2', 'example.com', 'localhost.example']) {
      assert.ok(!isTrustedEndpointHost(host), host);
    }
  });

  it('accepts https overrides on trusted hosts and passes each through, audience included', () => {
    const overrides = endpointOverrides(
      hostWith({
        'PowerPlatform.AuthorityHost': 'https://login.microsoftonline.us/',
        'PowerPlatform.PowerAppsApiUrl': 'https://127.0.0.1:8443',
        'PowerPlatform.BapApiUrl': 'https://localhost:9443',
        'PowerPlatform.PowerAppsAudience': 'https://service.powerapps.com/',
      }),
    );
    const endpoints = cloudEndpoints('contoso.crm.dynamics.com', overrides);
    assert.strictEqual(endpoints.authorityHost, 'https://login.microsoftonline.us');
    assert.strictEqual(endpoints.powerAppsApiUrl, 'https://127.0.0.1:8443');
    assert.strictEqual(endpoints.bapApiUrl, 'https://localhost:9443');
    assert.strictEqual(endpoints.powerAppsAudience, 'https://service.powerapps.com/');
    assert.strictEqual(cloudEndpoints('contoso.crm9.dynamics.com', endpointOverrides(hostWith({}))).powerAppsAudience, 'https://gov.service.powerapps.us/');
  });

  it('rejects a foreign host, plain http, credentials, a path or a query, naming the variable', () => {
    for (const value of [
      'https://login.contoso-tokens.example',
      'http://login.microsoftonline.com',
      'http://127.0.0.1:8443',
      'https://user:pw@login.microsoftonline.com',
      'https://login.microsoftonline.com/tenant',
      'https://api.powerapps.com/?x=1',
      'login.microsoftonline.com',
    ]) {
      for (const name of ['PowerPlatform.AuthorityHost', 'PowerPlatform.PowerAppsApiUrl', 'PowerPlatform.BapApiUrl', 'PowerPlatform.PowerAppsAudience']) {
        assert.throws(
          () => endpointOverrides(hostWith({ [name]: value })),
          (error: unknown) => error instanceof UserError && error.message === `EndpointOverrideRejected(${name})`,
          `${name}=${value}`,
        );
      }
    }
  });

  it('allows any https host with PowerPlatform.AllowCustomEndpoints=true, but still not plain http', () => {
    const allowed = endpointOverrides(hostWith({ 'PowerPlatform.AllowCustomEndpoints': 'True', 'PowerPlatform.AuthorityHost': 'https://sts.private-cloud.example' }));
    assert.strictEqual(allowed.authorityHost, 'https://sts.private-cloud.example');
    assert.throws(() => endpointOverrides(hostWith({ 'PowerPlatform.AllowCustomEndpoints': 'true', 'PowerPlatform.BapApiUrl': 'http://bap.private-cloud.example' })), /PowerPlatform\.BapApiUrl/);
    assert.throws(() => endpointOverrides(hostWith({ 'PowerPlatform.AllowCustomEndpoints': 'yes', 'PowerPlatform.BapApiUrl': 'https://bap.private-cloud.example' })), /PowerPlatform\.BapApiUrl/);
  });
});

describe('paging links', () => {
  const first = 'https://contoso.crm.dynamics.com/api/data/v9.2/solutions?$select=uniquename';

  it('follows absolute and relative links on the same https origin, and stops at no link', () => {
    const walk = new PageWalk(first);
    assert.strictEqual(walk.next(first, 'https://contoso.crm.dynamics.com/api/data/v9.2/solutions?$skiptoken=2'), 'https://contoso.crm.dynamics.com/api/data/v9.2/solutions?$skiptoken=2');
    assert.strictEqual(walk.next(first, '/api/data/v9.2/solutions?$skiptoken=3'), 'https://contoso.crm.dynamics.com/api/data/v9.2/solutions?$skiptoken=3');
    assert.strictEqual(walk.next(first, undefined), undefined);
    assert.strictEqual(walk.next(first, ''), undefined);
  });

  it('refuses another host, another port, plain http and a non-URL, naming the origin it went to', () => {
    for (const [link, origin] of [
      ['https://contoso.crm.dynamics.com.evil.example/page2', 'https://contoso.crm.dynamics.com.evil.example'],
      ['https://contoso.crm.dynamics.com:8443/page2', 'https://contoso.crm.dynamics.com:8443'],
      ['http://contoso.crm.dynamics.com/page2', 'http://contoso.crm.dynamics.com'],
      ['//evil.example/page2', 'https://evil.example'],
    ]) {
      assert.throws(
        () => new PageWalk(first).next(first, link),
        (error: unknown) => error instanceof UserError && error.message.startsWith('LinkToOtherOrigin') && error.message.includes(origin),
        link,
      );
    }
  });

  it('refuses a link seen before, the first page included', () => {
    const walk = new PageWalk(first);
    const second = 'https://contoso.crm.dynamics.com/api/data/v9.2/solutions?$skiptoken=2';
    walk.next(first, second);
    assert.throws(() => walk.next(second, second), /PagingLoop/);
    assert.throws(() => new PageWalk(first).next(first, first), /PagingLoop/);
  });

  it(`stops after ${MAX_PAGES} pages by default`, () => {
    const walk = new PageWalk(first);
    for (let page = 1; page <= MAX_PAGES; page++) walk.countPage();
    assert.throws(() => walk.countPage(), (error: unknown) => error instanceof UserError && error.message.startsWith('PagingTooManyPages') && error.message.includes(String(MAX_PAGES)));
  });
});

describe('OData string literals in a URL', () => {
  it('doubles quotes and percent-encodes what would end or split the query', () => {
    assert.strictEqual(odataString("O'Bryan"), "'O''Bryan'");
    assert.strictEqual(odataString('user_x.com#EXT#@tenant.onmicrosoft.com'), "'user_x.com%23EXT%23%40tenant.onmicrosoft.com'");
    assert.strictEqual(decodeURIComponent(odataString("a&b=c+d %'")), "'a&b=c+d %'''");
  });
});

describe('managed identity and the proxy', () => {
  it('gives direct requests (managed identity) and plain-http targets (IMDS) no proxy, whatever the proxy settings', () => {
    const pool = new AgentPool({ rejectUnauthorized: true, proxy: { url: 'http://proxy.contoso.com:8080', bypass: [] } });
    try {
      const proxied = pool.agentFor('https://contoso.crm.dynamics.com/api/data/v9.2/WhoAmI');
      assert.ok(proxied instanceof HttpsProxyAgent, 'ordinary requests use the proxy');
      const direct = pool.agentFor('https://127.0.0.1:40342/metadata/identity/oauth2/token', true);
      assert.ok(!(direct instanceof HttpsProxyAgent) && direct instanceof https.Agent);
      const imds = pool.agentFor('http://169.254.169.254/metadata/identity/oauth2/token');
      assert.ok(!(imds instanceof HttpsProxyAgent) && !(imds instanceof https.Agent), 'plain http gets a plain, direct agent');
    } finally {
      pool.destroy();
    }
  });
});
