import { Scenario } from './scenario';

/** The scenario the simulator's own tests run against; ids are fixed so that tests can name them. */
export const TENANT = '8a1c0d2e-0000-4000-8000-000000000001';
export const SP = { appId: '11111111-0000-4000-8000-000000000001', objectId: '11111111-0000-4000-8000-0000000000a1', secret: 'sp-secret' };
export const APP2 = { appId: '22222222-0000-4000-8000-000000000002', objectId: '22222222-0000-4000-8000-0000000000a2', secret: 'app2-secret' };
export const WIF = { appId: '33333333-0000-4000-8000-000000000003', objectId: '33333333-0000-4000-8000-0000000000a3' };
export const MI = { clientId: '44444444-0000-4000-8000-000000000004', objectId: '44444444-0000-4000-8000-0000000000a4' };
export const SVC = { objectId: 'aaaaaaaa-0000-4000-8000-000000000001', upn: 'svc-deploy@contoso.com' };
export const ALICE = { objectId: 'aaaaaaaa-0000-4000-8000-000000000002', upn: 'alice@contoso.com' };
export const BOB = { objectId: 'aaaaaaaa-0000-4000-8000-000000000003', upn: 'bob@contoso.com', systemuserid: 'bbbbbbbb-0000-4000-8000-000000000003' };
export const JOB_TOKEN = 'job-access-token';
export const SERVICE_CONNECTION = 'd6f2c1a0-1111-4222-8333-944455556666';
export const ENV_ID = 'Default-sim-env-0001';
export const ORG_ID = 'cccccccc-0000-4000-8000-000000000001';
export const STAGE_RUN = 'dddddddd-0000-4000-8000-000000000001';
export const STAGE_RUN_DONE = 'dddddddd-0000-4000-8000-000000000002';

export const FLOW_IDS = {
  child: 'f0000000-0000-4000-8000-000000000001',
  parent: 'f0000000-0000-4000-8000-000000000002',
  mail: 'f0000000-0000-4000-8000-000000000003',
  dvOnly: 'f0000000-0000-4000-8000-000000000004',
  missingRef: 'f0000000-0000-4000-8000-000000000005',
  sharepoint: 'f0000000-0000-4000-8000-000000000006',
  grandParent: 'f0000000-0000-4000-8000-000000000007',
};

function connRef(key: string, logicalName: string, api: string) {
  return {
    [key]: {
      runtimeSource: 'embedded',
      connection: { connectionReferenceLogicalName: logicalName },
      api: { name: api },
    },
  };
}

function clientdata(refs: Record<string, unknown>, actions: Record<string, unknown> = {}) {
  return {
    properties: {
      connectionReferences: refs,
      definition: {
        $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
        contentVersion: '1.0.0.0',
        parameters: { $connections: { defaultValue: {}, type: 'Object' }, $authentication: { defaultValue: {}, type: 'SecureObject' } },
        triggers: { manual: { type: 'Request', kind: 'Button', inputs: {} } },
        actions,
      },
    },
    schemaVersion: '1.0.0.0',
  };
}

function runChild(id: string) {
  return { type: 'Workflow', inputs: { host: { workflowReferenceName: id }, body: {} }, runAfter: {} };
}

export function testScenario(): Scenario {
  const dv = connRef('shared_commondataserviceforapps', 'contoso_dataverse', 'shared_commondataserviceforapps');
  const bulk = Array.from({ length: 25 }, (_, i) => ({
    name: `Bulk flow ${String(i + 1).padStart(2, '0')}`,
    solution: 'ContosoBulk',
    clientdata: clientdata(dv),
  }));
  return {
    tenantId: TENANT,
    organizationId: ORG_ID,
    environmentId: ENV_ID,
    environmentDisplayName: 'Contoso Test',
    apps: [
      { appId: SP.appId, secret: SP.secret, objectId: SP.objectId, displayName: 'deploy-spn', managementApp: true },
      { appId: APP2.appId, secret: APP2.secret, objectId: APP2.objectId, displayName: 'other-spn' },
      { appId: WIF.appId, objectId: WIF.objectId, displayName: 'wif-spn', federatedSubject: `sc://contoso/Deploy/${SERVICE_CONNECTION}` },
    ],
    managedIdentity: { clientId: MI.clientId, objectId: MI.objectId },
    azureDevOps: { jobAccessToken: JOB_TOKEN, organization: 'contoso', project: 'Deploy' },
    users: [
      { objectId: SP.objectId, upn: 'deploy-spn', applicationId: SP.appId, canActOnBehalf: true },
      { objectId: APP2.objectId, upn: 'other-spn', applicationId: APP2.appId },
      { objectId: WIF.objectId, upn: 'wif-spn', applicationId: WIF.appId, canActOnBehalf: true },
      { objectId: MI.objectId, upn: 'mi', applicationId: MI.clientId, canActOnBehalf: true },
      { objectId: SVC.objectId, upn: SVC.upn, fullName: 'Deployment Service' },
      { objectId: ALICE.objectId, upn: ALICE.upn, fullName: 'Alice' },
      { objectId: BOB.objectId, systemuserid: BOB.systemuserid, upn: BOB.upn, fullName: 'Bob', isDisabled: true },
    ],
    connections: [
      { name: 'conn-dataverse', connector: 'shared_commondataserviceforapps', createdBy: SVC.objectId, sharedWith: [SP.objectId] },
      { name: 'conn-office365', connector: 'shared_office365', createdBy: SVC.objectId, displayName: 'svc-deploy@contoso.com' },
      { name: 'conn-sharepoint-alice', connector: 'shared_sharepointonline', createdBy: ALICE.objectId },
      { name: 'conn-teams', connector: 'shared_teams', createdBy: SVC.objectId, status: 'Error' },
    ],
    solutions: [
      { uniqueName: 'ContosoCore', friendlyName: 'Contoso Core' },
      { uniqueName: 'ContosoBulk' },
    ],
    connectionReferences: [
      { logicalName: 'contoso_dataverse', connectorId: '/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps', connectionId: 'conn-dataverse', solution: 'ContosoCore' },
      { logicalName: 'contoso_office365', connectorId: '/providers/Microsoft.PowerApps/apis/shared_office365', solution: 'ContosoCore' },
      { logicalName: 'contoso_sharepoint', connectorId: '/providers/Microsoft.PowerApps/apis/shared_sharepointonline', connectionId: 'conn-sharepoint-alice', solution: 'ContosoCore' },
    ],
    flows: [
      { id: FLOW_IDS.child, name: 'Child', solution: 'ContosoCore', clientdata: clientdata(dv) },
      {
        id: FLOW_IDS.parent,
        name: 'Parent',
        solution: 'ContosoCore',
        clientdata: clientdata(dv, {
          Scope: {
            type: 'Scope',
            actions: {
              Condition: { type: 'If', expression: {}, actions: {}, else: { actions: { Run_child: runChild(FLOW_IDS.child) } } },
            },
          },
        }),
      },
      {
        id: FLOW_IDS.grandParent,
        name: 'Grand parent',
        solution: 'ContosoCore',
        clientdata: clientdata(dv, {
          Each: { type: 'Foreach', foreach: '@triggerBody()', actions: { Switch: { type: 'Switch', cases: { A: { actions: { Run: runChild(FLOW_IDS.parent) } } }, default: { actions: {} } } } },
        }),
      },
      { id: FLOW_IDS.mail, name: 'Send mail', solution: 'ContosoCore', clientdata: clientdata({ ...dv, ...connRef('shared_office365', 'contoso_office365', 'shared_office365') }) },
      { id: FLOW_IDS.dvOnly, name: 'Dataverse only', solution: 'ContosoCore', statecode: 0, clientdata: JSON.stringify(clientdata(dv)) },
      { id: FLOW_IDS.missingRef, name: 'Missing reference', solution: 'ContosoCore', clientdata: clientdata(connRef('shared_x', 'contoso_missing', 'shared_x')) },
      { id: FLOW_IDS.sharepoint, name: 'SharePoint', solution: 'ContosoCore', clientdata: clientdata(connRef('shared_sharepointonline', 'contoso_sharepoint', 'shared_sharepointonline')) },
      ...bulk,
    ],
    environmentVariableDefinitions: [
      { schemaName: 'contoso_ApiUrl', type: 100000000, defaultValue: 'https://example.test', solution: 'ContosoCore', value: 'https://prod.example.test' },
      { schemaName: 'contoso_Retries', type: 100000001, isRequired: true, solution: 'ContosoCore' },
      { schemaName: 'contoso_Secret', type: 100000005, solution: 'ContosoCore' },
    ],
    stageRuns: [
      { id: STAGE_RUN, deploymentsettingsjson: '{"EnvironmentVariables":[],"ConnectionReferences":[]}', approverAppId: SP.appId },
      { id: STAGE_RUN_DONE, deploymentsettingsjson: '{}', pendingApproval: false, approverAppId: SP.appId },
    ],
  };
}
