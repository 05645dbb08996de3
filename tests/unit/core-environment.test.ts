import * as assert from 'assert';
import { cloudEndpoints, inferCloud } from '../../tasks/common/cloud';
import { parseEnvironmentUrl } from '../../tasks/common/environment';
import { neutralise, neutraliseLine } from '../../tasks/common/remote-text';

describe('environment and cloud', () => {
  it('infers the cloud from the Dataverse host', () => {
    assert.strictEqual(inferCloud('contoso.crm.dynamics.com'), 'Public');
    assert.strictEqual(inferCloud('contoso.crm4.dynamics.com'), 'Public');
    assert.strictEqual(inferCloud('contoso.crm9.dynamics.com'), 'UsGov');
    assert.strictEqual(inferCloud('contoso.crm.microsoftdynamics.us'), 'UsGovHigh');
    assert.strictEqual(inferCloud('contoso.crm.appsplatform.us'), 'UsGovDod');
    assert.strictEqual(inferCloud('contoso.crm.dynamics.cn'), 'China');
  });

  it('lets pipeline variables override the inferred hosts', () => {
    const endpoints = cloudEndpoints('contoso.crm.dynamics.com', { authorityHost: 'https://127.0.0.1:9000/', powerAppsApiUrl: 'https://127.0.0.1:9000' });
    assert.strictEqual(endpoints.authorityHost, 'https://127.0.0.1:9000');
    assert.strictEqual(endpoints.powerAppsApiUrl, 'https://127.0.0.1:9000');
    assert.strictEqual(endpoints.bapApiUrl, 'https://api.bap.microsoft.com');
    assert.strictEqual(endpoints.powerAppsAudience, 'https://service.powerapps.com/');
  });

  it('accepts only https environment roots', () => {
    const fail = (problem: string, detail?: string) => new Error(`${problem} ${detail ?? ''}`);
    assert.strictEqual(parseEnvironmentUrl('https://contoso.crm.dynamics.com/', fail).origin, 'https://contoso.crm.dynamics.com');
    assert.strictEqual(parseEnvironmentUrl('https://contoso.crm.dynamics.com/api/data/v9.2', fail).origin, 'https://contoso.crm.dynamics.com');
    assert.throws(() => parseEnvironmentUrl('http://contoso.crm.dynamics.com', fail), /notHttps http/);
    assert.throws(() => parseEnvironmentUrl('contoso', fail), /notUrl/);
    assert.throws(() => parseEnvironmentUrl('https://me:pw@contoso.crm.dynamics.com', fail), /credentials/);
    assert.throws(() => parseEnvironmentUrl('https://contoso.crm.dynamics.com/main.aspx', fail), /path/);
  });
});

describe('remote text', () => {
  it('neutralises logging commands so remote text cannot issue them', () => {
    const text = neutralise('name ##vso[task.setvariable variable=x]1 and ##[error]boom');
    assert.ok(!text.includes('##vso['));
    assert.ok(!text.includes('##['));
    assert.match(text, /task\.setvariable/);
  });

  it('folds line breaks and bounds the length of one line', () => {
    assert.strictEqual(neutraliseLine('a\r\n  b\nc'), 'a b c');
    assert.strictEqual(neutraliseLine('x'.repeat(10), 4), 'xxxx…');
  });
});
