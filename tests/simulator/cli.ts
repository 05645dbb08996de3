import { loadScenarioFile } from './scenario';
import { startSimulator } from './index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const file = arg('--scenario');
  if (!file) {
    process.stderr.write('usage: node out/tests/simulator/cli.js --scenario <file.json> [--port N]\n');
    process.exit(2);
  }
  const port = arg('--port');
  const sim = await startSimulator({ scenario: loadScenarioFile(file), port: port ? Number(port) : undefined });
  process.stdout.write(`${JSON.stringify({ url: sim.url, caFile: sim.caFile })}\n`);
  const stop = () => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
