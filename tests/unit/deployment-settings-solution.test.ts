import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';
import { readConnectionReferences, readSolution, SolutionReadError } from '../../tasks/DataverseDeploymentSettingsV1/modules/solution-reader';
import { ZipArchive, ZipFormatError } from '../../tasks/DataverseDeploymentSettingsV1/modules/zip-archive';
import { decodeText } from '../../tasks/common/text-encoding';
import { CONTOSO_UNPACKED, SETTINGS_FIXTURES, readTree, tempDir, writeSolutionZip, writeTree, zipLayout } from '../helpers/deployment-settings';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('deployment settings: solution reader', () => {
  let work: string;
  before(() => {
    work = tempDir('settings-reader-');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('reads an unpacked folder (Other/ layout): references, connector ids, display names and definitions', () => {
    const solution = readSolution(CONTOSO_UNPACKED);
    assert.strictEqual(solution.kind, 'folder');
    assert.strictEqual(solution.uniqueName, 'ContosoSettings');
    assert.strictEqual(solution.version, '1.4.0.2');
    assert.deepStrictEqual(
      solution.connectionReferences.map((r) => [r.logicalName, r.connectorId, r.displayName]),
      [
        ['contoso_sharedoffice365_8f2a1', '/providers/Microsoft.PowerApps/apis/shared_office365', 'Office 365 Outlook & Calendar'],
        ['contoso_sharedsharepointonline_4c7d9', '/providers/Microsoft.PowerApps/apis/shared_sharepointonline', 'SharePoint'],
        ['contoso_shareddataverse_b31e0', '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps', 'Microsoft Dataverse'],
        // The direct child connectorid, not the custom connector's GUID nested in customconnectorid.
        ['contoso_PaymentsApi', '/providers/Microsoft.PowerApps/apis/shared_contoso-5fpayments-20api-5f0123456789abcdef', 'Contoso Payments API'],
      ],
    );
    const byName = new Map(solution.environmentVariables.map((v) => [v.schemaName, v]));
    assert.strictEqual(byName.size, 6);
    assert.deepStrictEqual(byName.get('contoso_ApiBaseUrl'), {
      schemaName: 'contoso_ApiBaseUrl',
      displayName: 'API base URL',
      type: 100000000,
      defaultValue: 'https://api.contoso.com/v1',
      isRequired: false,
      secretStore: 0,
    });
    assert.deepStrictEqual(byName.get('contoso_RetryCount'), { schemaName: 'contoso_RetryCount', displayName: 'Retry count', type: 100000001, isRequired: true, secretStore: 0 });
    assert.strictEqual(byName.get('contoso_FeatureEnabled')?.secretStore, undefined, 'secretstore is optional');
    assert.strictEqual(byName.get('contoso_Routing')?.defaultValue, '{"default":"queue-a"}', 'entities in text are decoded');
    assert.strictEqual(byName.get('contoso_ClientSecret')?.type, 100000005);
    assert.strictEqual(byName.get('contoso_SiteUrl')?.type, 100000004);
  });

  it('reads the zip layout as a folder (root solution.xml and customizations.xml) and as a zip, with identical results', () => {
    const folder = writeTree(path.join(work, 'root-layout'), zipLayout(readTree(CONTOSO_UNPACKED)));
    const zip = writeSolutionZip(path.join(work, 'contoso.zip'));
    const fromUnpacked = readSolution(CONTOSO_UNPACKED);
    const fromRoot = readSolution(folder);
    const fromZip = readSolution(zip);
    assert.strictEqual(fromZip.kind, 'zip');
    const sorted = (s: typeof fromZip) => ({
      uniqueName: s.uniqueName,
      version: s.version,
      refs: [...s.connectionReferences].sort((a, b) => a.logicalName.localeCompare(b.logicalName)),
      vars: [...s.environmentVariables].sort((a, b) => a.schemaName.localeCompare(b.schemaName)),
    });
    assert.deepStrictEqual(sorted(fromRoot), sorted(fromUnpacked));
    assert.deepStrictEqual(sorted(fromZip), sorted(fromUnpacked));
  });

  it('tolerates lower-case folder names and element-name casing differences', () => {
    const files = readTree(CONTOSO_UNPACKED);
    const customizations = decodeText(files['Other/Customizations.xml'])
      .replace(/<connectionreferences>/, '<ConnectionReferences>')
      .replace(/<\/connectionreferences>/, '</ConnectionReferences>')
      .replace(/<connectorid>\/providers\/Microsoft.PowerApps\/apis\/shared_office365<\/connectorid>/, '<ConnectorId>/providers/Microsoft.PowerApps/apis/shared_office365</ConnectorId>')
      .replace('connectionreferencelogicalname="contoso_sharedoffice365_8f2a1"', 'ConnectionReferenceLogicalName="contoso_sharedoffice365_8f2a1"');
    const renamed: Record<string, Uint8Array | string> = {};
    for (const [name, content] of Object.entries(files)) {
      if (name === 'Other/Customizations.xml') renamed['other/customizations.xml'] = customizations;
      else if (name === 'Other/Solution.xml') renamed['other/solution.xml'] = content;
      else renamed[name.replace('environmentvariabledefinitions/', 'EnvironmentVariableDefinitions/').replace('environmentvariabledefinition.xml', 'EnvironmentVariableDefinition.xml')] = content;
    }
    const definition = decodeText(files['environmentvariabledefinitions/contoso_RetryCount/environmentvariabledefinition.xml']).replace('<type>', '<Type>').replace('</type>', '</Type>').replace('<isrequired>', '<IsRequired>').replace('</isrequired>', '</IsRequired>');
    renamed['EnvironmentVariableDefinitions/contoso_RetryCount/EnvironmentVariableDefinition.xml'] = definition;
    const folder = writeTree(path.join(work, 'casing'), renamed);
    const solution = readSolution(folder);
    assert.strictEqual(solution.uniqueName, 'ContosoSettings');
    assert.strictEqual(solution.connectionReferences.length, 4);
    assert.strictEqual(solution.connectionReferences.find((r) => r.logicalName === 'contoso_sharedoffice365_8f2a1')?.connectorId, '/providers/Microsoft.PowerApps/apis/shared_office365');
    const retry = solution.environmentVariables.find((v) => v.schemaName === 'contoso_RetryCount');
    assert.strictEqual(retry?.type, 100000001);
    assert.strictEqual(retry?.isRequired, true);
  });

  it('finds the unpacked solution under src/ (the cdsproj layout)', () => {
    const folder = path.join(work, 'cdsproj');
    writeTree(path.join(folder, 'src'), readTree(CONTOSO_UNPACKED));
    writeTree(folder, { 'Contoso.cdsproj': '<Project />' });
    assert.strictEqual(readSolution(folder).uniqueName, 'ContosoSettings');
  });

  it('reads the 2020 SolutionPackager layout (EnvironmentVariables/<name>.xml with <Definition>)', () => {
    const solution = readSolution(path.join(SETTINGS_FIXTURES, 'legacy-2020'));
    assert.deepStrictEqual(solution.connectionReferences, [
      { logicalName: 'ud_sharedcommondataservice_3d28c', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataservice', displayName: 'Common Data Service' },
    ]);
    const byName = new Map(solution.environmentVariables.map((v) => [v.schemaName, v]));
    assert.deepStrictEqual(byName.get('ud_Threshold'), { schemaName: 'ud_Threshold', displayName: 'Threshold', type: 100000001, defaultValue: '10', isRequired: false });
    assert.strictEqual(byName.get('ud_Switch')?.defaultValue, 'no');
    assert.deepStrictEqual(byName.get('ud_Display Name'), { schemaName: 'ud_Display Name', displayName: 'Display Name', type: 100000000, isRequired: true }, 'xsi:nil default is no default');
  });

  it('decodes UTF-16 LE and UTF-8 BOM files', () => {
    const xml = '<?xml version="1.0" encoding="utf-16"?><ImportExportXml><connectionreferences><connectionreference connectionreferencelogicalname="cr_ü"><connectorid>/providers/Microsoft.PowerApps/apis/shared_x</connectorid></connectionreference></connectionreferences></ImportExportXml>';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    assert.strictEqual(readConnectionReferences(decodeText(utf16))[0].logicalName, 'cr_ü');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
    assert.strictEqual(decodeText(bom).charCodeAt(0), '<'.charCodeAt(0));
  });

  it('ignores self-closing <connectionreferences /> and reads every block', () => {
    const xml = '<ImportExportXml><connectionreferences /><x/><connectionreferences><connectionreference connectionreferencelogicalname="a"><connectorid>/p/apis/shared_a</connectorid></connectionreference></connectionreferences></ImportExportXml>';
    assert.deepStrictEqual(readConnectionReferences(xml), [{ logicalName: 'a', connectorId: '/p/apis/shared_a' }]);
  });

  it('refuses a DTD instead of expanding entities', () => {
    const files = readTree(CONTOSO_UNPACKED);
    const evil = decodeText(files['Other/Customizations.xml']).replace('<ImportExportXml', '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<ImportExportXml');
    const folder = writeTree(path.join(work, 'dtd'), { ...files, 'Other/Customizations.xml': evil });
    assert.throws(() => readSolution(folder), (e: Error) => e instanceof SolutionReadError && /DTD/.test(e.message) && /Customizations\.xml/.test(e.message));
  });

  it('says a zip without solution.xml and customizations.xml is not a solution', () => {
    const zip = path.join(work, 'flow-package.zip');
    fs.writeFileSync(zip, zipSync({ 'manifest.json': utf8('{}'), 'Microsoft.Flow/flows/manifest.json': utf8('{}') }));
    assert.throws(() => readSolution(zip), (e: Error) => e instanceof SolutionReadError && /not a solution export/.test(e.message));
  });

  it('names the missing half of a solution', () => {
    const zip = path.join(work, 'half.zip');
    fs.writeFileSync(zip, zipSync({ 'solution.xml': readTree(CONTOSO_UNPACKED)['Other/Solution.xml'] }));
    assert.throws(() => readSolution(zip), /solution\.xml but no customizations\.xml/);
  });

  it('says a file that is not a zip, a folder that is not a solution, and a missing path are unreadable', () => {
    const text = path.join(work, 'settings.txt');
    fs.writeFileSync(text, 'hello');
    assert.throws(() => readSolution(text), (e: Error) => e instanceof SolutionReadError && /not a zip archive/.test(e.message));
    const empty = path.join(work, 'empty-folder');
    fs.mkdirSync(empty);
    assert.throws(() => readSolution(empty), /not an unpacked solution/);
    assert.throws(() => readSolution(path.join(work, 'nope.zip')), /does not exist/);
  });

  describe('zip guards', () => {
    it('refuses an archive with more entries than allowed', () => {
      const files: Record<string, Uint8Array> = {};
      for (let i = 0; i < 12; i++) files[`f${i}.txt`] = utf8('x');
      const zip = path.join(work, 'many.zip');
      fs.writeFileSync(zip, zipSync(files));
      assert.throws(() => ZipArchive.open(zip, { maxEntries: 10, maxEntryBytes: 1000, maxTotalBytes: 1000 }), (e: Error) => e instanceof ZipFormatError && /12 entries/.test(e.message));
    });

    it('refuses an entry that declares more than the per-entry limit, before inflating it', () => {
      const zip = writeSolutionZip(path.join(work, 'big-declared.zip'), {
        'solution.xml': readTree(CONTOSO_UNPACKED)['Other/Solution.xml'],
        'customizations.xml': utf8(`<ImportExportXml>${' '.repeat(200_000)}</ImportExportXml>`),
      });
      assert.throws(
        () => readSolution(zip, { maxEntries: 100, maxEntryBytes: 100_000, maxTotalBytes: 1_000_000 }),
        (e: Error) => e instanceof SolutionReadError && /customizations\.xml' declares 200035 bytes, more than the 100000/.test(e.message),
      );
    });

    it('refuses entries whose sizes together exceed the total limit', () => {
      const zip = writeSolutionZip(path.join(work, 'big-total.zip'), {
        'solution.xml': utf8(`<ImportExportXml><SolutionManifest><UniqueName>x</UniqueName></SolutionManifest>${' '.repeat(60_000)}</ImportExportXml>`),
        'customizations.xml': utf8(`<ImportExportXml>${' '.repeat(60_000)}</ImportExportXml>`),
      });
      assert.throws(() => readSolution(zip, { maxEntries: 100, maxEntryBytes: 100_000, maxTotalBytes: 100_000 }), /would exceed 100000 bytes/);
    });

    it('stops inflating an entry that produces more than its declared size (a lying header)', () => {
      const bomb = utf8(`<ImportExportXml>${'a'.repeat(5_000_000)}</ImportExportXml>`);
      const bytes = Buffer.from(zipSync({ 'solution.xml': utf8('<ImportExportXml/>'), 'customizations.xml': bomb }, { level: 9 }));
      // Rewrite the declared uncompressed size of customizations.xml in the central directory.
      const cdStart = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      let p = cdStart;
      let patched = false;
      while (p >= 0 && p < bytes.length) {
        const nameLength = bytes.readUInt16LE(p + 28);
        const name = bytes.toString('utf8', p + 46, p + 46 + nameLength);
        if (name === 'customizations.xml') {
          bytes.writeUInt32LE(1000, p + 24);
          patched = true;
        }
        p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 46);
      }
      assert.ok(patched);
      const zip = path.join(work, 'bomb.zip');
      fs.writeFileSync(zip, bytes);
      const started = Date.now();
      assert.throws(() => readSolution(zip), (e: Error) => e instanceof SolutionReadError && /inflates beyond the 1000 bytes it declares/.test(e.message));
      assert.ok(Date.now() - started < 2000, 'stops early');
    });

    it('reads stored (uncompressed) entries and only the entries it needs', () => {
      const files = zipLayout(readTree(CONTOSO_UNPACKED));
      const zip = path.join(work, 'stored.zip');
      fs.writeFileSync(zip, zipSync({ ...files, 'Workflows/huge.json': new Uint8Array(3_000_000) }, { level: 0 }));
      // The 3 MB flow file is never read, so a 1 MB per-entry limit does not trip.
      const solution = readSolution(zip, { maxEntries: 100, maxEntryBytes: 1_000_000, maxTotalBytes: 2_000_000 });
      assert.strictEqual(solution.connectionReferences.length, 4);
    });

    it('reports a damaged archive clearly', () => {
      const zip = writeSolutionZip(path.join(work, 'damaged.zip'));
      const bytes = fs.readFileSync(zip);
      const truncated = path.join(work, 'truncated.zip');
      fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      assert.throws(() => readSolution(truncated), SolutionReadError);
    });
  });
});
