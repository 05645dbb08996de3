import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { ConnectionInfo } from '../../tasks/common/connections';
import { agentHost, quietly } from '../helpers/agent-host';
import { readInputs } from '../../tasks/DataverseBindConnectionReferencesV1/modules/inputs';
import { planBindings } from '../../tasks/DataverseBindConnectionReferencesV1/modules/plan';
import { buildItems } from '../../tasks/DataverseBindConnectionReferencesV1/modules/report';

const SOURCES = path.join(os.tmpdir(), 'bind-solutions-sources');
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bind-solutions-'));
const host = (inputs: Record<string, string>) =>
  agentHost('DataverseBindConnectionReferencesV1', { inputs: { PowerPlatformSPN: 'spn', ...inputs }, variables: { 'System.DefaultWorkingDirectory': SOURCES }, tempDirectory: TEMP });

describe('bind connection references: several solutions and tokenized settings', () => {
  after(() => fs.rmSync(TEMP, { recursive: true, force: true }));

  it('takes several solution names, separated by commas or new lines, each once', () => {
    const inputs = quietly(() => readInputs(host({ SolutionName: 'ContosoCore, ContosoApps\ncontosocore\n' })));
    assert.deepStrictEqual(inputs.solutionNames, ['ContosoCore', 'ContosoApps']);
    assert.strictEqual(inputs.solutionName, 'ContosoCore, ContosoApps');
  });

  it('a SolutionName of separators only is not given', () => {
    assert.throws(() => quietly(() => readInputs(host({ SolutionName: ' , ' }))), (error: unknown) => error instanceof UserError && /^Input 'SolutionName' is required\./.test(error.message));
  });

  it('a connection id from a secret token is never shown; an unset token is MissingValue naming the variable', () => {
    const connections: ConnectionInfo[] = [{ id: 'sql-secret', connector: 'shared_sql', connected: true, status: 'Connected', ownerObjectId: 'svc' }];
    const plan = planBindings({
      references: [
        { connectionreferenceid: '1', connectionreferencelogicalname: 'cat_sql', connectorid: 'shared_sql', connectionid: 'sql-secret' },
        { connectionreferenceid: '2', connectionreferencelogicalname: 'cat_teams', connectorid: 'shared_teams' },
      ],
      settings: new Map([['cat_sql', 'sql-secret']]),
      tokens: { secrets: new Set(['sql-secret']), unsetConnectionIds: new Map([['cat_teams', ['connectionreference.cat_teams']]]) },
      sources: { byLogicalName: () => undefined, byConnector: () => undefined, ownerFor: () => undefined },
      connections,
      impersonation: 'None',
      failOnUnbound: true,
    });
    const sql = plan.items.find((i) => i.logicalName === 'cat_sql')!;
    assert.deepStrictEqual([sql.action, sql.secret], ['unchanged', true]);
    const teams = plan.items.find((i) => i.logicalName === 'cat_teams')!;
    assert.deepStrictEqual(teams.problem?.unsetVariables, ['connectionreference.cat_teams']);

    const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
    const fake = { loc } as unknown as Parameters<typeof buildItems>[0];
    const inputs = { solutionNames: ['S'], solutionName: 'S', settings: new Map(), impersonation: 'None' as const, failOnUnbound: true, dryRun: false };
    const items = buildItems(fake, inputs, { plan, stoppedByProblems: true }, 'https://env');
    assert.ok(!JSON.stringify(items).includes('sql-secret'), JSON.stringify(items));
    const teamsItem = items.find((i) => i.name === 'cat_teams')!;
    assert.deepStrictEqual([teamsItem.error?.code, teamsItem.error?.message], ['MissingValue', 'ProblemTokenVariableNotSet(connectionreference.cat_teams)']);
  });
});
