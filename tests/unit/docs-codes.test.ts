// The troubleshooting table of overview.md lists every code of the problem catalogue
// (tasks/common/problems/). `npm run docs` rewrites the table from the catalogue and the source.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, catalogueCodes, collectCodes, messageText } from '../docs/code-catalogue';
import { CODES_END, CODES_START, codesRegion, renderCodesTable, replaceCodesRegion } from '../docs/codes-table';

const tableCodes = (markdown: string): Set<string> => {
  const codes = new Set<string>();
  for (const line of codesRegion(markdown).split('\n')) {
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([^`]+)`/g)) codes.add(m[1]!.toLowerCase());
  }
  return codes;
};

describe('troubleshooting table (overview.md)', () => {
  const overview = fs.readFileSync(path.join(REPO_ROOT, 'overview.md'), 'utf8');

  it('has the generated region', () => {
    assert.ok(overview.includes(CODES_START) && overview.includes(CODES_END), `overview.md needs ${CODES_START} and ${CODES_END}`);
  });

  it('lists every code of the problem catalogue (run `npm run docs` to regenerate)', () => {
    const listed = tableCodes(overview);
    const codes = catalogueCodes();
    assert.ok(codes.length >= 20, `the catalogue was read: ${codes.length} codes`);
    const missing = codes.filter((code) => !listed.has(code.toLowerCase()));
    assert.deepStrictEqual(missing, [], `codes missing from the troubleshooting table: ${missing.join(', ')}`);
  });

  it('gives every collected code a meaning and something to do', () => {
    const { entries } = collectCodes();
    const codes = entries.map((e) => e.code);
    for (const expected of ['XrmConnectionReferenceMissingConnection', 'ConnectionAuthorizationFailed', 'ChildFlowNeverPublished', 'InvalidConfiguration', 'TaskFailed']) {
      assert.ok(codes.includes(expected), `${expected} is found in the source`);
    }
    assert.deepStrictEqual(entries.filter((e) => !e.meaning).map((e) => e.code), []);
  });
});

describe('troubleshooting table generator', () => {
  it('shows placeholders as … and drops a detail appended to a sentence', () => {
    assert.strictEqual(messageText("Connection '%s' (from %s)\n does not exist in %s."), "Connection '…' (from …) does not exist in ….");
    assert.strictEqual(messageText('Value %s is not a number.%s'), 'Value … is not a number.');
    assert.strictEqual(messageText('not valid %s%s.'), 'not valid ….');
  });

  it('puts codes with the same texts on one row, escapes pipes and sorts by code', () => {
    const table = renderCodesTable([
      { code: 'Zeta', meaning: 'Same.', action: 'Do a | b.', origin: 'list' },
      { code: 'alpha', meaning: 'Other.', action: '', origin: 'source' },
      { code: 'Beta', meaning: 'Same.', action: 'Do a | b.', origin: 'catalogue' },
    ]);
    assert.deepStrictEqual(table.split('\n').slice(2), ['| `alpha` | Other. | See the message. |', '| `Beta`, `Zeta` | Same. | Do a \\| b. |']);
  });

  it('replaces only the region between the markers', () => {
    const before = `# T\n${CODES_START}\nold\n${CODES_END}\nafter\n`;
    assert.strictEqual(replaceCodesRegion(before, 'new'), `# T\n${CODES_START}\nnew\n${CODES_END}\nafter\n`);
    assert.throws(() => replaceCodesRegion('# no markers', 'new'), /codes:start/);
  });
});
