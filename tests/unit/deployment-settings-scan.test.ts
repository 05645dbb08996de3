import * as assert from 'assert';
import { ConnectionReferenceScanner, MAX_PARSED_XML_CHARS, readConnectionReferences } from '../../tasks/DataverseDeploymentSettingsV1/modules/connection-reference-scan';
import { SolutionReadError } from '../../tasks/DataverseDeploymentSettingsV1/modules/solution-errors';
import { TextStreamDecoder } from '../../tasks/DataverseDeploymentSettingsV1/modules/text-stream';

const XML =
  '<ImportExportXml><Entities><Entity name="a" /></Entities>' +
  '<connectionreferences><connectionreference connectionreferencelogicalname="cr_one"><connectorid>/p/apis/shared_one</connectorid>' +
  '<connectionreferencedisplayname>One &amp; only</connectionreferencedisplayname></connectionreference></connectionreferences>' +
  '<workflows /><connectionreferences/>' +
  '<connectionreferences >\n<connectionreference connectionreferencelogicalname="cr_two"><connectorid>/p/apis/shared_two</connectorid></connectionreference></connectionreferences >' +
  '</ImportExportXml>';

function scanInChunks(text: string, size: number) {
  const scanner = new ConnectionReferenceScanner('customizations.xml');
  for (let i = 0; i < text.length; i += size) scanner.push(text.slice(i, i + size));
  return scanner.end();
}

describe('deployment settings: connection reference scan', () => {
  const expected = [
    { logicalName: 'cr_one', connectorId: '/p/apis/shared_one', displayName: 'One & only' },
    { logicalName: 'cr_two', connectorId: '/p/apis/shared_two' },
  ];

  it('finds the same references whatever the chunk boundaries', () => {
    assert.deepStrictEqual(readConnectionReferences(XML), expected);
    for (const size of [1, 2, 3, 7, 20, 64, 1000]) assert.deepStrictEqual(scanInChunks(XML, size), expected, `chunks of ${size}`);
  });

  it('refuses a DTD split across chunks, and a block that is not closed', () => {
    assert.throws(() => scanInChunks(`<a/><!DOC${'TYPE x []>'}`, 5), SolutionReadError);
    assert.throws(() => scanInChunks('<connectionreferences><connectionreference connectionreferencelogicalname="x">', 8), /not closed/);
  });

  it('refuses a block beyond the cap, naming the file and the cap', () => {
    const scanner = new ConnectionReferenceScanner('Other/Customizations.xml');
    scanner.push('<connectionreferences>');
    const filler = '<connectionreference/>'.repeat(64 * 1024);
    assert.throws(
      () => {
        for (let total = 0; total <= MAX_PARSED_XML_CHARS; total += filler.length) scanner.push(filler);
      },
      (error: Error) => error instanceof SolutionReadError && error.message.startsWith('Other/Customizations.xml: ') && error.message.includes(String(MAX_PARSED_XML_CHARS)),
    );
  });

  it('scans hostile openings that never close their tag, and many empty blocks, in one pass', () => {
    // Each of these made the former whole-text scan restart from every opening (quadratic).
    assert.deepStrictEqual(readConnectionReferences('<connectionreferences '.repeat(20_000)), []);
    assert.deepStrictEqual(readConnectionReferences('<connectionreferences></connectionreferences>'.repeat(20_000)), []);
  });

  it('decodes UTF-8 with a BOM, UTF-16 LE and BE with a BOM, split anywhere', () => {
    const text = '<x>café ü 𝄞</x>';
    const utf16be = Buffer.from(text, 'utf16le').swap16();
    const inputs = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
      Buffer.from(text, 'utf8'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    ];
    for (const bytes of inputs) {
      for (const size of [1, 2, 3, 5]) {
        const decoder = new TextStreamDecoder();
        let decoded = '';
        for (let i = 0; i < bytes.length; i += size) decoded += decoder.push(bytes.subarray(i, i + size));
        decoded += decoder.end();
        assert.strictEqual(decoded, text, `${bytes.subarray(0, 3).toString('hex')} in chunks of ${size}`);
      }
    }
  });
});
