import * as assert from 'assert';
import { buildBatch, parseBatchResponse } from '../../tasks/common/batch';

describe('$batch bodies', () => {
  it('puts writes in a change set with Content-ID and impersonation per operation', () => {
    const { boundary, body } = buildBatch(
      [
        [
          { method: 'PATCH', path: 'workflows(1)', body: { statecode: 1 }, callerObjectId: 'owner-1' },
          { method: 'PATCH', path: 'workflows(2)', body: { statecode: 1 } },
        ],
        [{ method: 'GET', path: 'WhoAmI' }],
      ],
      'https://org/api/data/v9.2/',
    );
    assert.match(boundary, /^batch_/);
    assert.match(body, /Content-Type: multipart\/mixed; boundary=changeset_/);
    assert.match(body, /Content-ID: 1\r\n\r\nPATCH https:\/\/org\/api\/data\/v9\.2\/workflows\(1\) HTTP\/1\.1/);
    assert.match(body, /CallerObjectId: owner-1/);
    assert.match(body, /If-Match: \*/);
    assert.match(body, /GET https:\/\/org\/api\/data\/v9\.2\/WhoAmI HTTP\/1\.1/);
    assert.ok(body.trimEnd().endsWith(`--${boundary}--`));
    const changeSetBlock = body.split('GET https://org')[0];
    assert.ok(!/CallerObjectId: owner-1[\s\S]*CallerObjectId/.test(changeSetBlock), 'only the first operation is impersonated');
  });

  it('parses change set responses in request order, with status and JSON bodies', () => {
    const response = [
      '--batchresponse_1',
      'Content-Type: multipart/mixed; boundary=changesetresponse_2',
      '',
      '--changesetresponse_2',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-Version: 4.0',
      '',
      '',
      '--changesetresponse_2',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 2',
      '',
      'HTTP/1.1 412 Precondition Failed',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"error":{"code":"0x80060882","message":"The version of the existing record doesn\'t match the RowVersion property provided."}}',
      '--changesetresponse_2--',
      '--batchresponse_1',
      'Content-Type: application/http',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json',
      '',
      '{"UserId":"u"}',
      '--batchresponse_1--',
      '',
    ].join('\r\n');
    const results = parseBatchResponse(response, 'multipart/mixed; boundary=batchresponse_1');
    assert.deepStrictEqual(
      results.map((r) => [r.status, r.contentId]),
      [
        [204, '1'],
        [412, '2'],
        [200, undefined],
      ],
    );
    assert.deepStrictEqual((results[1].body as { error: { code: string } }).error.code, '0x80060882');
    assert.deepStrictEqual(results[2].body, { UserId: 'u' });
  });
});
