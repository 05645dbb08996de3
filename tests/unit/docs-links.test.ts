// Links in the documentation stay true: every relative link (Markdown or <img>) in README.md,
// overview.md and CHANGELOG.md names a file of the repository, a link to a heading names a heading
// that exists, and each task's help links lead to a heading of overview.md (the Marketplace page).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// Compiled to out/tests/unit; the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DOCS = ['README.md', 'overview.md', 'CHANGELOG.md'];
const REPOSITORY_BLOB = 'https://github.com/dataverse-alm/dataverse-flow-deployment/blob/main/';

/** The Markdown without fenced code blocks, where there are no headings or links. */
const withoutFences = (markdown: string): string => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** The Markdown without code, fenced or inline, where there are no links. */
const prose = (markdown: string): string => withoutFences(markdown).replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const seen = counts.get(slug) ?? 0;
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
    counts.set(slug, seen + 1);
  }
  return anchors;
}

function links(markdown: string): string[] {
  const text = prose(markdown);
  const markdownLinks = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  const html = [...text.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  return [...markdownLinks, ...references, ...html];
}

const isExternal = (link: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(link);
const read = (file: string): string => fs.readFileSync(path.join(repoRoot, file), 'utf8');

/** Problems with one link found in `from` (a repository-relative file), or undefined. */
function checkLink(from: string, link: string): string | undefined {
  const [target = '', fragment] = link.split('#', 2);
  const file = target === '' ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), decodeURIComponent(target.split('?')[0]!)));
  if (file.startsWith('..')) return `${link} leaves the repository`;
  if (!fs.existsSync(path.join(repoRoot, file))) return `${link}: ${file} does not exist`;
  if (fragment !== undefined && file.endsWith('.md') && !headingAnchors(read(file)).has(fragment)) {
    return `${link}: ${file} has no heading with the anchor #${fragment}`;
  }
  return undefined;
}

describe('documentation links', () => {
  for (const doc of DOCS) {
    it(`every relative link in ${doc} resolves`, () => {
      const relative = links(read(doc)).filter((link) => !isExternal(link));
      const problems = relative.map((link) => checkLink(doc, link)).filter(Boolean);
      assert.deepStrictEqual(problems, []);
    });
  }

  it('links to this repository\'s files on GitHub name files that exist', () => {
    const problems = DOCS.flatMap((doc) => links(read(doc)))
      .filter((link) => link.startsWith(REPOSITORY_BLOB))
      .map((link) => checkLink('', link.slice(REPOSITORY_BLOB.length)))
      .filter(Boolean);
    assert.deepStrictEqual(problems, []);
  });

  it('each task\'s help links lead to a heading of overview.md', () => {
    const folders = fs.readdirSync(path.join(repoRoot, 'tasks')).filter((name) => /V\d+$/.test(name));
    const problems: string[] = [];
    for (const folder of folders) {
      const task = JSON.parse(read(`tasks/${folder}/task.json`)) as { helpUrl?: string; helpMarkDown: string };
      const helpLinks = [task.helpUrl ?? '', ...[...task.helpMarkDown.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!)].filter(Boolean);
      for (const link of helpLinks) {
        if (!link.startsWith(`${REPOSITORY_BLOB}overview.md#`)) problems.push(`${folder}: ${link} is not a heading of overview.md`);
        else {
          const problem = checkLink('', link.slice(REPOSITORY_BLOB.length));
          if (problem) problems.push(`${folder}: ${problem}`);
        }
      }
    }
    assert.deepStrictEqual(problems, []);
  });

  it('computes anchors as GitHub does', () => {
    const anchors = headingAnchors('# Turn on cloud flows\n## `DataverseActivateFlows@1`: inputs\n## Outputs\n## Outputs\n```sh\n# not a heading\n```\n');
    assert.deepStrictEqual([...anchors], ['turn-on-cloud-flows', 'dataverseactivateflows1-inputs', 'outputs', 'outputs-1']);
  });
});
