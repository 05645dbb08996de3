import { writeCodesTable } from './codes-table';
import { writePictures } from './pictures';

/**
 * `npm run docs`: rewrites the troubleshooting table of overview.md from the problem catalogue and
 * the source, then renders the run summaries of a demo against the simulator to images/.
 * `--codes-only` skips the pictures (they need Chromium).
 */
async function main(): Promise<number> {
  const { codes, unexplained, notFound } = writeCodesTable();
  console.log(`overview.md: troubleshooting table with ${codes} codes`);
  for (const code of unexplained) console.warn(`warning: the code ${code} has no message; give it a meaning in tests/docs/platform-codes.ts`);
  for (const code of notFound) console.warn(`warning: ${code} (tests/docs/platform-codes.ts) was not found in the source; remove it there if no task reports it`);
  if (process.argv.includes('--codes-only')) return 0;
  return writePictures();
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
