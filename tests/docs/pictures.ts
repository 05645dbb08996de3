import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './code-catalogue';
import { runDemoSummaries } from './demo-runs';
import { CHROMIUM, screenshotSummary } from './render-summary';

const IMAGES = path.join(REPO_ROOT, 'images');
const BENCH_TIMELINE = path.join(REPO_ROOT, 'bench', 'results', 'timeline-latest.svg');
export const TIMELINE_IMAGE = path.join(IMAGES, 'benchmark-timeline.svg');
const MAX_WIDTH = 1100;

export async function writePictures(): Promise<number> {
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get update && apt-get install -y chromium) to render the pictures.`);
    return 1;
  }
  const summaries = await runDemoSummaries();
  for (const summary of summaries) {
    const file = path.join(IMAGES, `summary-${summary.name}.png`);
    const size = screenshotSummary(summary.markdown, file, MAX_WIDTH);
    console.log(`${path.relative(REPO_ROOT, file)}: ${size.width}x${size.height}, ${Math.round(fs.statSync(file).size / 1024)} KB`);
  }
  showCheckConnectionsPicture();
  copyBenchTimeline();
  return 0;
}

/** The timeline of the last `npm run bench` (bench/results is not committed), when there is one. */
function copyBenchTimeline(): void {
  if (!fs.existsSync(BENCH_TIMELINE)) {
    console.log(`${path.relative(REPO_ROOT, BENCH_TIMELINE)} not found (run \`npm run bench\` first); ${path.relative(REPO_ROOT, TIMELINE_IMAGE)} is left as it is`);
    return;
  }
  fs.copyFileSync(BENCH_TIMELINE, TIMELINE_IMAGE);
  console.log(`${path.relative(REPO_ROOT, TIMELINE_IMAGE)}: copied from ${path.relative(REPO_ROOT, BENCH_TIMELINE)}`);
}

const CHECK_PICTURE_PLACE = '<!-- check-connections picture -->';
const CHECK_PICTURE = `**Check connections**, before the import: each connection reference, the connection it will use,
and every check that connection fails, with what to do:

![Summary of the connection check: the connection with an expired sign-in is unhealthy, with what to do](images/summary-check-connections.png)`;

/** Shows the connection check's picture in overview.md once the task has produced one. */
function showCheckConnectionsPicture(): void {
  const overview = path.join(REPO_ROOT, 'overview.md');
  const markdown = fs.readFileSync(overview, 'utf8');
  if (!fs.existsSync(path.join(IMAGES, 'summary-check-connections.png')) || !markdown.includes(CHECK_PICTURE_PLACE)) return;
  fs.writeFileSync(overview, markdown.replace(CHECK_PICTURE_PLACE, CHECK_PICTURE));
  console.log('overview.md: shows images/summary-check-connections.png');
}
