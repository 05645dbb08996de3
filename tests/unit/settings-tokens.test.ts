import * as assert from 'assert';
import { TokenVariable, TokenVariableLookup, replaceTokens } from '../../tasks/common/settings-tokens';

/** Variables as the agent gives them: names case-insensitive. */
function lookupOf(variables: Record<string, TokenVariable>): TokenVariableLookup {
  const byName = new Map(Object.entries(variables).map(([name, v]) => [name.toLowerCase(), v]));
  return (name) => byName.get(name.toLowerCase());
}

const plain = (value: string): TokenVariable => ({ value, secret: false });

describe('settings file tokens #{name}#', () => {
  const settings = {
    EnvironmentVariables: [
      { SchemaName: 'cat_Endpoint', Value: '#{environmentvariable.cat_Endpoint}#' },
      { SchemaName: 'cat_Url', Value: 'https://#{host}#:#{port}#/api' },
      { SchemaName: 'cat_Password', Value: 'user=svc;password=#{db.password}#' },
      { SchemaName: 'cat_Count', Value: 3 },
      { SchemaName: 'cat_Empty', Value: null },
    ],
    ConnectionReferences: [
      {
        LogicalName: 'cat_CDS_Current',
        ConnectionId: '#{connectionreference.cat_CDS_Current}#',
        ConnectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps',
        ConnectionOwner: '#{connectionreference.user.cat_CDS_Current}#',
      },
    ],
  };
  const variables = {
    'EnvironmentVariable.cat_Endpoint': plain('https://api.contoso.com'),
    host: plain('contoso.example'),
    port: plain('8443'),
    'DB.Password': { value: 'P@ss-w0rd!', secret: true },
    'ConnectionReference.cat_CDS_Current': plain('4c9d1b4e2f0a4e7c8a6b5d3c2b1a0f9e'),
  };

  it('replaces every token of every string value, several in one value, names case-insensitive', () => {
    const { document, unset } = replaceTokens(settings, lookupOf(variables));
    assert.strictEqual(document.EnvironmentVariables[0].Value, 'https://api.contoso.com');
    assert.strictEqual(document.EnvironmentVariables[1].Value, 'https://contoso.example:8443/api');
    assert.strictEqual(document.ConnectionReferences[0].ConnectionId, '4c9d1b4e2f0a4e7c8a6b5d3c2b1a0f9e');
    assert.deepStrictEqual(unset, ['connectionreference.user.cat_CDS_Current']);
  });

  it('leaves non-string values alone and does not change the input document', () => {
    const before = JSON.stringify(settings);
    const { document } = replaceTokens(settings, lookupOf(variables));
    assert.strictEqual(document.EnvironmentVariables[3].Value, 3);
    assert.strictEqual(document.EnvironmentVariables[4].Value, null);
    assert.strictEqual(JSON.stringify(settings), before);
  });

  it('reports a token whose variable is not set by its variable name, each once, and leaves the value missing', () => {
    const { document, unset } = replaceTokens(
      { a: '#{missing.one}#', b: 'prefix #{host}# #{Missing.One}# #{ other }#', c: 'no token' },
      lookupOf({ host: plain('contoso.example') }),
    );
    assert.deepStrictEqual(unset, ['missing.one', 'other']);
    assert.strictEqual(document.a, '', 'a missing value, never the token text');
    assert.strictEqual(document.b, '', 'a value with any unset token is missing as a whole');
    assert.strictEqual(document.c, 'no token');
  });

  it('does not replace a token in a key', () => {
    const { document, unset } = replaceTokens({ '#{host}#': '#{host}#' }, lookupOf({ host: plain('contoso.example') }));
    assert.deepStrictEqual(document, { '#{host}#': 'contoso.example' });
    assert.deepStrictEqual(unset, []);
  });

  it('returns the secret values used, and every value a secret went into, for masking', () => {
    const { document, secrets } = replaceTokens(settings, lookupOf(variables));
    assert.strictEqual(document.EnvironmentVariables[2].Value, 'user=svc;password=P@ss-w0rd!');
    assert.deepStrictEqual([...secrets].sort(), ['P@ss-w0rd!', 'user=svc;password=P@ss-w0rd!']);
  });

  it('replaces in one pass: a value that looks like a token is not replaced again', () => {
    const { document, unset } = replaceTokens({ a: '#{outer}#' }, lookupOf({ outer: plain('#{inner}#'), inner: plain('no') }));
    assert.strictEqual(document.a, '#{inner}#');
    assert.deepStrictEqual(unset, []);
  });

  it('walks arrays and nested objects, and keeps a "__proto__" key a plain key', () => {
    const parsed = JSON.parse('{"list":["#{host}#",["#{port}#"]],"__proto__":{"x":"#{host}#"}}');
    const { document } = replaceTokens(parsed, lookupOf({ host: plain('h'), port: plain('p') }));
    assert.deepStrictEqual(document.list, ['h', ['p']]);
    assert.ok(Object.prototype.hasOwnProperty.call(document, '__proto__'));
    assert.deepStrictEqual(Object.getPrototypeOf(document), Object.prototype);
  });

  it('leaves text that is not a whole token as it is', () => {
    const { document } = replaceTokens({ a: '#{}# #{ unfinished #{host}', b: '{host}' }, lookupOf({ host: plain('h') }));
    assert.deepStrictEqual(document, { a: '#{}# #{ unfinished #{host}', b: '{host}' });
  });
});
