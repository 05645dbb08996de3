import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { marked } from 'marked';
import { optimisePng } from './png';

export const CHROMIUM = '/usr/bin/chromium';

/** Close to how Azure DevOps shows a run summary: system font, light table rules, compact. */
const STYLE = `
  * { box-sizing: border-box; }
  html { background: #ffffff; }
  body { margin: 0; padding: 12px 16px; width: max-content; max-width: 100%; color: #1f2328; background: #ffffff;
    font: 12px/1.45 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  h1, h2, h3 { font-weight: 600; margin: 12px 0 6px; line-height: 1.25; }
  h1, h2 { font-size: 16px; padding-bottom: 4px; border-bottom: 1px solid #d1d9e0; }
  h2:first-child { margin-top: 0; }
  h3 { font-size: 14px; }
  p { margin: 0 0 8px; }
  code { font: 11px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: #eff1f3; border-radius: 4px; padding: 1px 4px; }
  table { border-collapse: collapse; margin: 0 0 10px; }
  th, td { border: 1px solid #d1d9e0; padding: 3px 7px; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  tr:nth-child(2n) td { background: #f6f8fa; }
  td { max-width: 330px; }
  a { color: inherit; text-decoration: none; }
`;

/** The summary Markdown as a page; the script records the content's size for the crop. */
export function summaryHtml(markdown: string): string {
  const body = marked.parse(markdown, { async: false, gfm: true });
  // Short cells stay on one line, long ones (errors, hints) wrap.
  const measure = "addEventListener('load',()=>{for(const c of document.querySelectorAll('td,th'))if(c.textContent.length<48)c.style.whiteSpace='nowrap';const r=document.body.getBoundingClientRect();document.body.dataset.size=Math.ceil(r.width)+'x'+Math.ceil(r.height);})";
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${STYLE}</style><script>${measure}</script></head><body>${body}</body></html>`;
}

function chromium(args: string[]): string {
  return execFileSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--default-background-color=ffffffff', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 60_000,
  });
}

/** Renders the Markdown with headless Chromium and saves a screenshot cropped to the content. */
export function screenshotSummary(markdown: string, pngFile: string, maxWidth: number): { width: number; height: number } {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the pictures are rendered with Debian's Chromium (apt-get update && apt-get install -y chromium)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-html-'));
  try {
    const page = path.join(dir, 'summary.html');
    fs.writeFileSync(page, summaryHtml(markdown));
    const url = `file://${page}`;
    const dom = chromium([`--window-size=${maxWidth},600`, '--dump-dom', url]);
    const size = /data-size="(\d+)x(\d+)"/.exec(dom);
    if (!size) throw new Error(`Chromium did not lay out ${pngFile}`);
    const width = Math.min(maxWidth, Number(size[1]));
    const height = Number(size[2]);
    const shot = path.join(dir, 'summary.png');
    chromium([`--window-size=${width},${height}`, `--screenshot=${shot}`, url]);
    fs.writeFileSync(pngFile, optimisePng(fs.readFileSync(shot)));
    return { width, height };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
