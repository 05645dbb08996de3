import * as assert from 'assert';
import { ConnectionInfo, parseOwner } from '../../tasks/common/connections';
import { DeploymentSettings } from '../../tasks/common/settings-file';
import { PlanInput, needsConnections, planSettings } from '../../tasks/DataverseDeploymentSettingsV1/modules/plan';
import { SolutionContents } from '../../tasks/DataverseDeploymentSettingsV1/modules/solution-reader';
import { checkValue } from '../../tasks/DataverseDeploymentSettingsV1/modules/values';
import { approvalComments } from '../../tasks/DataverseDeploymentSettingsV1/modules/stage-run';
import { layerSettings } from '../../tasks/DataverseDeploymentSettingsV1/modules/gather';
import { buildMarkdown, buildReport } from '../../tasks/DataverseDeploymentSettingsV1/modules/report';
import { SettingsInputs } from '../../tasks/DataverseDeploymentSettingsV1/modules/inputs';
import { taskLoc, variablesOf } from '../helpers/deployment-settings';

const text = taskLoc();
const ENV = 'https://contoso-test.crm.dynamics.com';
const API = '/providers/Microsoft.PowerApps/apis/';
const SVC = { objectId: 'aaaaaaaa-0000-0000-0000-000000000001', upn: 'svc-deploy@contoso.com' };
const MAKER = { objectId: 'bbbbbbbb-0000-0000-0000-000000000002', upn: 'maker@contoso.com' };
const KV = '/subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/rg-alm/providers/Microsoft.KeyVault/vaults/kv-contoso-test/secrets/payments-client-secret';

const solution: SolutionContents = {
  kind: 'folder',
  uniqueName: 'ContosoSettings',
  version: '1.0.0.0',
  connectionReferences: [
    { logicalName: 'cr_outlook', connectorId: `${API}shared_office365`, displayName: 'Outlook' },
    { logicalName: 'cr_sharepoint', connectorId: `${API}shared_sharepointonline` },
    { logicalName: 'cr_dataverse', connectorId: `${API}shared_commondataserviceforapps` },
  ],
  environmentVariables: [
    { schemaName: 'cr_Url', type: 100000000, defaultValue: 'https://default', isRequired: false },
    { schemaName: 'cr_Count', type: 100000001, isRequired: true },
    { schemaName: 'cr_Flag', type: 100000002, defaultValue: 'no', isRequired: true },
    { schemaName: 'cr_Json', type: 100000003, isRequired: false },
    { schemaName: 'cr_Secret', type: 100000005, isRequired: false, secretStore: 0 },
  ],
};

function connection(id: string, connector: string, owner: { objectId: string; upn: string }, connected = true, displayName?: string): ConnectionInfo {
  return { id, connector, displayName, connected, status: connected ? 'Connected' : 'Error', ownerObjectId: owner.objectId, ownerUpn: owner.upn };
}

const connections: ConnectionInfo[] = [
  connection('svc-outlook', 'shared_office365', SVC),
  connection('svc-sharepoint', 'shared_sharepointonline', SVC),
  connection('svc-dataverse', 'shared_commondataserviceforapps', SVC),
  connection('svc-dataverse-broken', 'shared_commondataserviceforapps', SVC, false),
  connection('maker-outlook', 'shared_office365', MAKER),
  connection('maker-sharepoint', 'shared_sharepointonline', MAKER),
];

const empty: DeploymentSettings = { EnvironmentVariables: [], ConnectionReferences: [] };

function plan(overrides: Partial<PlanInput> = {}) {
  return planSettings({
    solution,
    starting: empty,
    variables: variablesOf({}),
    connections,
    validate: true,
    failOnMissingValues: true,
    environmentUrl: ENV,
    text,
    ...overrides,
  });
}

const ref = (p: ReturnType<typeof plan>, name: string) => p.references.find((r) => r.logicalName === name)!;
const envVar = (p: ReturnType<typeof plan>, name: string) => p.variables.find((v) => v.schemaName === name)!;
const allFindingText = (p: ReturnType<typeof plan>) =>
  JSON.stringify([...p.references, ...p.variables].map((e) => [e.problems, e.warnings])) + JSON.stringify(p.warnings);

const validVariables = {
  'EnvironmentVariable.cr_Count': '3',
  'EnvironmentVariable.cr_Json': '{"a":1}',
  'EnvironmentVariable.cr_Secret': KV,
};

describe('deployment settings: merge and precedence', () => {
  it('takes ConnectionReference.<logicalname> over Connector.<connectorname> over ConnectionOwner over the value present', () => {
    const p = plan({
      owner: parseOwner(SVC.upn),
      starting: {
        EnvironmentVariables: [],
        ConnectionReferences: [
          { LogicalName: 'cr_outlook', ConnectionId: 'maker-outlook', ConnectorId: `${API}shared_office365` },
          { LogicalName: 'cr_sharepoint', ConnectionId: 'maker-sharepoint', ConnectorId: `${API}shared_sharepointonline` },
          { LogicalName: 'cr_dataverse', ConnectionId: 'maker-dataverse', ConnectorId: '' },
        ],
      },
      variables: variablesOf({ ...validVariables, 'ConnectionReference.cr_outlook': 'maker-outlook', 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint' }),
    });
    assert.strictEqual(p.problemCount, 0, JSON.stringify(p.references.map((r) => r.problems)));
    assert.deepStrictEqual(
      p.references.map((r) => [r.logicalName, r.value, r.source, r.variable]),
      [
        ['cr_dataverse', 'svc-dataverse', 'connectionOwner', undefined],
        ['cr_outlook', 'maker-outlook', 'variableByLogicalName', 'ConnectionReference.cr_outlook'],
        ['cr_sharepoint', 'svc-sharepoint', 'variableByConnector', 'Connector.shared_sharepointonline'],
      ],
    );
    assert.strictEqual(ref(p, 'cr_outlook').previous, 'maker-outlook');
  });

  it('keeps the value present when no variable names a reference and there is no ConnectionOwner', () => {
    const p = plan({
      starting: { EnvironmentVariables: [], ConnectionReferences: [{ LogicalName: 'CR_OUTLOOK', ConnectionId: 'svc-outlook', ConnectorId: '' }] },
      variables: variablesOf({ ...validVariables, 'Connector.shared_sharepointonline': 'svc-sharepoint', 'ConnectionReference.cr_dataverse': 'svc-dataverse' }),
    });
    assert.strictEqual(p.problemCount, 0);
    assert.deepStrictEqual([ref(p, 'cr_outlook').value, ref(p, 'cr_outlook').source], ['svc-outlook', 'existingValue']);
    // Matched case-insensitively; the solution's spelling and connector id win in the output.
    assert.deepStrictEqual(p.settings.ConnectionReferences[1], { LogicalName: 'cr_outlook', ConnectionId: 'svc-outlook', ConnectorId: `${API}shared_office365` });
  });

  it('reads variables by name case-insensitively', () => {
    const p = plan({ variables: variablesOf({ ...validVariables, 'connectionreference.CR_OUTLOOK': 'svc-outlook', 'CONNECTOR.shared_SharePointOnline': 'svc-sharepoint', 'connector.shared_commondataserviceforapps': 'svc-dataverse' }) });
    assert.strictEqual(p.problemCount, 0, JSON.stringify(p.references.map((r) => r.problems)));
  });

  it('ConnectionOwner picks the owner’s single Connected connection per connector, by UPN or object id', () => {
    for (const owner of [SVC.upn, SVC.upn.toUpperCase(), SVC.objectId]) {
      const p = plan({ owner: parseOwner(owner), variables: variablesOf(validVariables) });
      assert.strictEqual(p.problemCount, 0);
      assert.deepStrictEqual(p.references.map((r) => r.value), ['svc-dataverse', 'svc-outlook', 'svc-sharepoint']);
      assert.ok(p.references.every((r) => r.source === 'connectionOwner'));
    }
  });

  it('ConnectionOwner with two Connected connections of one connector fails naming both', () => {
    const p = plan({
      owner: parseOwner(SVC.upn),
      connections: [...connections, connection('svc-outlook-2', 'shared_office365', SVC, true, 'Outlook (second)')],
      variables: variablesOf(validVariables),
    });
    assert.strictEqual(p.problemCount, 1);
    const problem = ref(p, 'cr_outlook').problems[0];
    assert.strictEqual(problem.code, 'ConnectionOwnerHasSeveralConnections');
    assert.ok(problem.message.includes('svc-outlook') && problem.message.includes("svc-outlook-2 'Outlook (second)'"), problem.message);
    assert.ok(problem.message.includes(SVC.upn) && problem.message.includes('shared_office365'), problem.message);
    assert.ok(problem.hint?.includes('ConnectionReference.cr_outlook'));
  });

  it('ConnectionOwner without a Connected connection of a connector fails naming the connector, the owner and the broken ones', () => {
    const p = plan({ owner: parseOwner(MAKER.objectId), variables: variablesOf(validVariables), connections: [...connections, connection('maker-dv-broken', 'shared_commondataserviceforapps', MAKER, false)] });
    assert.strictEqual(p.problemCount, 1);
    const problem = ref(p, 'cr_dataverse').problems[0];
    assert.strictEqual(problem.code, 'ConnectionOwnerHasNoConnection');
    assert.ok(problem.message.includes(MAKER.objectId) && problem.message.includes('shared_commondataserviceforapps'), problem.message);
    assert.ok(problem.message.includes('maker-dv-broken (Error)'), problem.message);
  });

  it('a reference left without a connection fails, or only warns with FailOnMissingValues false', () => {
    const failing = plan({ variables: variablesOf({ ...validVariables, 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint' }) });
    assert.strictEqual(failing.problemCount, 1);
    assert.strictEqual(ref(failing, 'cr_dataverse').problems[0].code, 'MissingValue');
    assert.match(ref(failing, 'cr_dataverse').problems[0].hint ?? '', /ConnectionReference\.cr_dataverse or Connector\.shared_commondataserviceforapps/);
    const warning = plan({ failOnMissingValues: false, variables: variablesOf({ ...validVariables, 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint' }) });
    assert.strictEqual(warning.problemCount, 0);
    assert.strictEqual(ref(warning, 'cr_dataverse').warnings[0].code, 'MissingValue');
    assert.strictEqual(ref(warning, 'cr_dataverse').value, '');
  });

  it('environment variables: EnvironmentVariable.<schemaname>, then the value present, then the definition default (value left empty)', () => {
    const p = plan({
      starting: { EnvironmentVariables: [{ SchemaName: 'cr_Url', Value: 'https://present' }, { SchemaName: 'cr_Count', Value: '7' }], ConnectionReferences: [] },
      variables: variablesOf({ 'EnvironmentVariable.cr_Count': '12', 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'Connector.shared_commondataserviceforapps': 'svc-dataverse' }),
    });
    assert.strictEqual(p.problemCount, 0, JSON.stringify(p.variables.map((v) => v.problems)));
    assert.deepStrictEqual(
      p.variables.map((v) => [v.schemaName, v.value, v.source ?? null]),
      [
        ['cr_Count', '12', 'variableBySchemaName'],
        ['cr_Flag', '', 'default'],
        ['cr_Json', '', null],
        ['cr_Secret', '', null],
        ['cr_Url', 'https://present', 'existingValue'],
      ],
    );
    assert.deepStrictEqual(p.settings.EnvironmentVariables.map((v) => v.SchemaName), ['cr_Count', 'cr_Flag', 'cr_Json', 'cr_Secret', 'cr_Url']);
  });

  it('a required environment variable without value or default fails (or warns)', () => {
    const vars = { 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'Connector.shared_commondataserviceforapps': 'svc-dataverse' };
    const p = plan({ variables: variablesOf(vars) });
    assert.strictEqual(p.problemCount, 1);
    assert.strictEqual(envVar(p, 'cr_Count').problems[0].code, 'MissingValue');
    assert.match(envVar(p, 'cr_Count').problems[0].message, /EnvironmentVariable\.cr_Count/);
    assert.strictEqual(envVar(p, 'cr_Flag').problems.length, 0, 'a default satisfies a required variable');
    assert.strictEqual(plan({ variables: variablesOf(vars), failOnMissingValues: false }).problemCount, 0);
  });

  it('keeps settings entries the solution lacks, with a warning; without a solution every settings entry counts', () => {
    const starting: DeploymentSettings = {
      EnvironmentVariables: [{ SchemaName: 'old_Var', Value: 'x' }],
      ConnectionReferences: [{ LogicalName: 'old_ref', ConnectionId: 'svc-outlook', ConnectorId: `${API}shared_office365` }],
    };
    const p = plan({ starting, variables: variablesOf({ ...validVariables, 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'Connector.shared_commondataserviceforapps': 'svc-dataverse' }) });
    assert.strictEqual(p.problemCount, 0);
    assert.strictEqual(ref(p, 'old_ref').warnings[0].code, 'NotInSolution');
    assert.strictEqual(envVar(p, 'old_Var').warnings[0].code, 'NotInSolution');
    assert.ok(p.settings.ConnectionReferences.some((r) => r.LogicalName === 'old_ref'));
    const withoutSolution = plan({ solution: undefined, starting, variables: variablesOf({ 'EnvironmentVariable.old_Var': 'y' }) });
    assert.strictEqual(withoutSolution.problemCount, 0);
    assert.deepStrictEqual(withoutSolution.settings, {
      EnvironmentVariables: [{ SchemaName: 'old_Var', Value: 'y' }],
      ConnectionReferences: [{ LogicalName: 'old_ref', ConnectionId: 'svc-outlook', ConnectorId: `${API}shared_office365` }],
    });
    assert.ok(withoutSolution.references.every((r) => r.warnings.length === 0));
  });

  it('warns about variables that match nothing, suggesting a close name', () => {
    const p = plan({
      variables: variablesOf({
        ...validVariables,
        'Connector.shared_office365': 'svc-outlook',
        'Connector.shared_sharepointonline': 'svc-sharepoint',
        'Connector.shared_commondataserviceforapps': 'svc-dataverse',
        'ConnectionReference.cr_outlok': 'svc-outlook',
        'EnvironmentVariable.cr_Cuont': '4',
        'Connector.shared_teams': 'x',
      }),
    });
    assert.strictEqual(p.problemCount, 0);
    const messages = p.warnings.map((w) => w.message);
    assert.strictEqual(messages.length, 3, messages.join('\n'));
    assert.ok(messages[0].includes("'ConnectionReference.cr_outlok'") && messages[0].includes("Did you mean 'ConnectionReference.cr_outlook'"), messages[0]);
    assert.ok(messages[1].includes("'EnvironmentVariable.cr_Cuont'") && messages[1].includes("'EnvironmentVariable.cr_Count'"), messages[1]);
    assert.ok(messages[2].includes("'Connector.shared_teams'") && messages[2].includes('connector') && !messages[2].includes('Did you mean'), messages[2]);
  });

  it('needs the environment’s connections only for references with validation or ConnectionOwner', () => {
    assert.strictEqual(needsConnections(0, true, parseOwner(SVC.upn)), false);
    assert.strictEqual(needsConnections(2, false, undefined), false);
    assert.strictEqual(needsConnections(2, true, undefined), true);
    assert.strictEqual(needsConnections(2, false, parseOwner(SVC.upn)), true);
  });

  it('layers a settings file over the stage run’s settings', () => {
    const layered = layerSettings(
      {
        EnvironmentVariables: [{ SchemaName: 'a', Value: '1' }, { SchemaName: 'b', Value: '2' }],
        ConnectionReferences: [{ LogicalName: 'r', ConnectionId: 'maker', ConnectorId: `${API}shared_x` }],
      },
      { EnvironmentVariables: [{ SchemaName: 'A', Value: '9' }, { SchemaName: 'b', Value: '' }, { SchemaName: 'c', Value: '3' }], ConnectionReferences: [{ LogicalName: 'R', ConnectionId: 'svc', ConnectorId: '' }] },
    );
    assert.deepStrictEqual(layered, {
      EnvironmentVariables: [{ SchemaName: 'a', Value: '9' }, { SchemaName: 'b', Value: '2' }, { SchemaName: 'c', Value: '3' }],
      ConnectionReferences: [{ LogicalName: 'r', ConnectionId: 'svc', ConnectorId: `${API}shared_x` }],
    });
  });
});

describe('deployment settings: validation rules', () => {
  const good = { ...validVariables, 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'Connector.shared_commondataserviceforapps': 'svc-dataverse' };

  it('passes a complete, valid set', () => {
    const p = plan({ variables: variablesOf(good) });
    assert.strictEqual(p.problemCount, 0);
    assert.strictEqual(ref(p, 'cr_outlook').connection?.id, 'svc-outlook');
  });

  it('a connection that does not exist in the environment', () => {
    const p = plan({ variables: variablesOf({ ...good, 'Connector.shared_office365': 'no-such-connection' }) });
    assert.strictEqual(ref(p, 'cr_outlook').problems[0].code, 'ConnectionNotFound');
    assert.ok(ref(p, 'cr_outlook').problems[0].message.includes('no-such-connection') && ref(p, 'cr_outlook').problems[0].message.includes(ENV));
  });

  it('a connection that is not Connected', () => {
    const p = plan({ variables: variablesOf({ ...good, 'Connector.shared_commondataserviceforapps': 'svc-dataverse-broken' }) });
    assert.strictEqual(ref(p, 'cr_dataverse').problems[0].code, 'ConnectionNotConnected');
    assert.match(ref(p, 'cr_dataverse').problems[0].message, /svc-dataverse-broken.*status: Error/);
  });

  it('a connection of another connector', () => {
    const p = plan({ variables: variablesOf({ ...good, 'ConnectionReference.cr_sharepoint': 'svc-outlook' }) });
    assert.strictEqual(ref(p, 'cr_sharepoint').problems[0].code, 'ConnectionOfOtherConnector');
    assert.match(ref(p, 'cr_sharepoint').problems[0].message, /svc-outlook' \(from variable ConnectionReference.cr_sharepoint\) is a connection to shared_office365, not to shared_sharepointonline/);
  });

  it('reports every problem together', () => {
    const p = plan({
      variables: variablesOf({ ...good, 'Connector.shared_commondataserviceforapps': 'svc-dataverse-broken', 'ConnectionReference.cr_sharepoint': 'svc-outlook', 'EnvironmentVariable.cr_Count': 'three' }),
    });
    assert.strictEqual(p.problemCount, 3);
    assert.deepStrictEqual([...p.references, ...p.variables].flatMap((e) => e.problems.map((x) => x.code)).sort(), ['ConnectionNotConnected', 'ConnectionOfOtherConnector', 'InvalidNumber']);
  });

  const typeCases: Array<[string, string, string | undefined]> = [
    ['cr_Count', '42', undefined],
    ['cr_Count', '-1.5e3', undefined],
    ['cr_Count', '1,000', 'InvalidNumber'],
    ['cr_Count', ' 4', 'InvalidNumber'],
    ['cr_Count', 'NaN', 'InvalidNumber'],
    ['cr_Flag', 'yes', undefined],
    ['cr_Flag', 'False', undefined],
    ['cr_Flag', '1', 'InvalidBoolean'],
    ['cr_Json', '[1,{"a":null}]', undefined],
    ['cr_Json', '{a:1}', 'InvalidJson'],
    ['cr_Secret', KV, undefined],
    ['cr_Secret', 'https://kv-contoso.vault.azure.net/secrets/x', 'InvalidSecretReference'],
    ['cr_Url', 'anything at all', undefined],
  ];
  for (const [schema, value, code] of typeCases) {
    it(`${schema} = ${JSON.stringify(value)} ${code ? `is ${code}` : 'fits its type'}`, () => {
      const p = plan({ variables: variablesOf({ ...good, [`EnvironmentVariable.${schema}`]: value }) });
      assert.deepStrictEqual(envVar(p, schema).problems.map((x) => x.code), code ? [code] : []);
    });
  }

  it('checkValue accepts what Dataverse stores for each type', () => {
    assert.strictEqual(checkValue(100000004, 'https://contoso.sharepoint.com/sites/x'), undefined);
    assert.strictEqual(checkValue(undefined, '{'), undefined);
    assert.strictEqual(checkValue(100000001, 'Infinity')?.problem, 'InvalidNumber');
    assert.strictEqual(checkValue(100000005, KV.replace('/secrets/', '/keys/'))?.problem, 'InvalidSecretReference');
  });

  it('Validate false skips the environment and type checks but still reports missing values', () => {
    const p = plan({
      validate: false,
      connections: undefined,
      variables: variablesOf({ 'Connector.shared_office365': 'no-such', 'Connector.shared_sharepointonline': 'svc-outlook', 'EnvironmentVariable.cr_Json': '{bad' }),
    });
    assert.deepStrictEqual([...p.references, ...p.variables].flatMap((e) => e.problems.map((x) => `${x.code}`)), ['MissingValue', 'MissingValue']);
  });

  it('masks a Key Vault reference whose variable type is unknown (an entry only in the settings)', () => {
    const p = plan({ solution: undefined, starting: { EnvironmentVariables: [{ SchemaName: 'x_Secret', Value: KV }, { SchemaName: 'x_Plain', Value: 'v' }], ConnectionReferences: [] } });
    assert.deepStrictEqual(p.variables.map((v) => [v.schemaName, v.secret]), [['x_Plain', false], ['x_Secret', true]]);
    const report = JSON.stringify(buildReport(p, { inputs: { target: 'File', outputFile: 'deploymentsettings.json', validate: true, failOnMissingValues: true, updateApproval: false }, environmentUrl: ENV, written: true, text }));
    assert.ok(!report.includes(KV));
  });

  it('never shows a secret value in a finding: secret variables and Secret-type values are masked', () => {
    const secretConnection = 'secret-connection-id-7f3e';
    const secretNumber = 'not-a-number-s3cr3t';
    const p = plan({
      variables: variablesOf({ ...good, 'ConnectionReference.cr_outlook': secretConnection, 'EnvironmentVariable.cr_Count': secretNumber, 'EnvironmentVariable.cr_Secret': 'plain-secret-value', 'EnvironmentVariable.cr_Json': '{"token":' }, [
        'ConnectionReference.cr_outlook',
        'EnvironmentVariable.cr_Count',
        'EnvironmentVariable.cr_Json',
      ]),
    });
    assert.strictEqual(p.problemCount, 4);
    const all = allFindingText(p);
    for (const secret of [secretConnection, secretNumber, 'plain-secret-value', '{"token":', 'token']) assert.ok(!all.includes(secret), `${secret} visible in ${all}`);
    assert.ok(all.includes("'***'"));
    assert.strictEqual(ref(p, 'cr_outlook').secret, true);
    assert.strictEqual(envVar(p, 'cr_Secret').secret, true);
    assert.strictEqual(envVar(p, 'cr_Url').secret, false);
    // The settings themselves carry the real values.
    assert.strictEqual(p.settings.ConnectionReferences.find((r) => r.LogicalName === 'cr_outlook')?.ConnectionId, secretConnection);
  });
});

describe('deployment settings: report and approval comments', () => {
  const inputs: SettingsInputs = { target: 'File', outputFile: '/tmp/out.json', validate: true, failOnMissingValues: true, updateApproval: false, solutionPath: '/tmp/s.zip' };

  it('reports each entry with its outcome, source and masked secret values', () => {
    const p = plan({
      starting: { EnvironmentVariables: [{ SchemaName: 'cr_Count', Value: '3' }, { SchemaName: 'cr_Secret', Value: KV }], ConnectionReferences: [] },
      variables: variablesOf({ 'EnvironmentVariable.cr_Json': '{}', 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'ConnectionReference.cr_dataverse': 'svc-dataverse' }, ['ConnectionReference.cr_dataverse']),
    });
    const report = buildReport(p, { inputs, environmentUrl: ENV, solution, written: true, text });
    const byId = new Map(report.items.map((i) => [i.id, i]));
    assert.deepStrictEqual(
      [byId.get('cr_outlook')?.outcome, byId.get('cr_outlook')?.source, byId.get('cr_outlook')?.variable, byId.get('cr_outlook')?.actor],
      ['set', 'variableByConnector', 'Connector.shared_office365', 'servicePrincipal'],
    );
    assert.deepStrictEqual([byId.get('cr_Count')?.outcome, byId.get('cr_Count')?.source], ['unchanged', 'existingValue']);
    assert.deepStrictEqual([byId.get('cr_Secret')?.value, byId.get('cr_Secret')?.previousValue, byId.get('cr_Secret')?.type], ['***', '***', 'Secret']);
    assert.strictEqual(byId.get('cr_dataverse')?.value, '***');
    assert.strictEqual(byId.get('cr_Flag')?.source, 'default');
    const serialized = JSON.stringify(report) + buildMarkdown(p, { inputs, environmentUrl: ENV, solution, written: true, text });
    assert.ok(!serialized.includes(KV) && !serialized.includes('svc-dataverse'), 'secret values are masked');
    assert.ok(serialized.includes('variable Connector.shared_office365'));
    assert.ok(serialized.includes("definition's default"));
  });

  it('marks entries of a failed run as failed or wouldChange', () => {
    const p = plan({ variables: variablesOf({ ...validVariables, 'EnvironmentVariable.cr_Count': 'x', 'Connector.shared_office365': 'svc-outlook', 'Connector.shared_sharepointonline': 'svc-sharepoint', 'Connector.shared_commondataserviceforapps': 'svc-dataverse' }) });
    const report = buildReport(p, { inputs, environmentUrl: ENV, solution, written: false, text });
    const outcome = (id: string) => report.items.find((i) => i.id === id)?.outcome;
    assert.strictEqual(outcome('cr_Count'), 'failed');
    assert.strictEqual(outcome('cr_outlook'), 'wouldChange');
    const failed = report.items.find((i) => i.id === 'cr_Count');
    assert.deepStrictEqual(failed?.error?.code, 'InvalidNumber');
    assert.strictEqual(report.problems.length, 1);
    assert.match(report.problems[0], /^Environment variable 'cr_Count': Value 'x' is not a number/);
  });

  it('bounds the approval comments and says how many problems were left out', () => {
    const problems = Array.from({ length: 100 }, (_, i) => `Connection reference 'cr_${i}': Connection 'c-${i}' does not exist in ${ENV}.`);
    const comments = approvalComments('Header:', problems, (n) => `... and ${n} more.`, 500);
    assert.ok(comments.length <= 500, `${comments.length}`);
    assert.ok(comments.startsWith('Header:\n- Connection reference'));
    const shown = comments.split('\n').filter((l) => l.startsWith('- ')).length;
    assert.ok(comments.endsWith(`... and ${100 - shown} more.`), comments);
    assert.strictEqual(approvalComments('H', ['a', 'b'], (n) => `+${n}`), 'H\n- a\n- b');
  });
});
