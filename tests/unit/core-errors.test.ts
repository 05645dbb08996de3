import * as assert from 'assert';
import { parseErrorBody, unwrapNestedError } from '../../tasks/common/platform-errors';

describe('platform error parsing', () => {
  it('keeps the Dataverse hex code and message', () => {
    const error = parseErrorBody(404, { error: { code: '0x80040217', message: "Entity 'workflow' With Id = 1 Does Not Exist" } }, 'GET', 'https://x/api');
    assert.strictEqual(error.status, 404);
    assert.strictEqual(error.code, '0x80040217');
    assert.strictEqual(error.effectiveCode, '0x80040217');
    assert.match(error.message, /Does Not Exist/);
  });

  it('unwraps the Flow code from FlowServiceClientError 0x80060467', () => {
    const inner = JSON.stringify({ error: { code: 'XrmConnectionReferenceMissingConnection', message: "Connection Id missing for connection reference logical name 'cr_x'." } });
    const message = `Flow client error returned with status code "BadRequest" and details "${inner}".`;
    const error = parseErrorBody(400, JSON.stringify({ error: { code: '0x80060467', message } }), 'PATCH', 'https://x/api');
    assert.strictEqual(error.code, '0x80060467');
    assert.strictEqual(error.innerCode, 'XrmConnectionReferenceMissingConnection');
    assert.strictEqual(error.effectiveCode, 'XrmConnectionReferenceMissingConnection');
    assert.match(error.effectiveMessage, /cr_x/);
  });

  it('reads the nested MissingUserDetails error inside BapListServicePlansFailed', () => {
    const nested = JSON.stringify({ error: { code: 'MissingUserDetails', message: "The user details for tenant id 't' and principal id 'p' doesn't exist." } });
    const inner = JSON.stringify({ error: { code: 'BapListServicePlansFailed', message: nested } });
    const unwrapped = unwrapNestedError(`Flow client error returned with status code "BadRequest" and details "${inner}".`);
    assert.deepStrictEqual(unwrapped?.code, 'BapListServicePlansFailed');
    assert.match(unwrapped?.message ?? '', /^MissingUserDetails: The user details/);
  });

  it('maps an Entra ID error to its AADSTS code and first line', () => {
    const error = parseErrorBody(
      401,
      { error: 'invalid_client', error_description: "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2", error_codes: [7000215] },
      'POST',
      'https://login/token',
    );
    assert.strictEqual(error.code, 'AADSTS7000215');
    assert.strictEqual(error.platformMessage, 'AADSTS7000215: Invalid client secret provided.');
  });

  it('copes with an empty or non-JSON body', () => {
    assert.strictEqual(parseErrorBody(503, '', 'GET', 'u').code, 'HTTP503');
    const html = parseErrorBody(502, '<html>Bad gateway</html>', 'GET', 'u');
    assert.strictEqual(html.code, 'HTTP502');
    assert.match(html.platformMessage, /Bad gateway/);
  });
});
