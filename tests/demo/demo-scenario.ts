import * as fs from 'fs';
import * as path from 'path';
import { Scenario, ScenarioConnectionReference, ScenarioEnvironmentVariableDefinition, ScenarioFlow } from '../simulator/scenario';
import { APP_OBJECT_ID, baseScenario } from '../helpers/base-scenario';
import { flowClientData } from '../helpers/flow-definitions';

export const DEMO_SOLUTION = 'ContosoOperations';
export const SERVICE_ACCOUNT = { objectId: '5e7a1c00-0000-4000-8000-00000000d3a0', upn: 'svc-deploy@contoso.com', fullName: 'Deployment service account' };
export const MAKER = { objectId: '3a4e0000-0000-4000-8000-00000000a4e0', upn: 'maker@contoso.com', fullName: 'Maker' };

const API = (name: string) => `/providers/Microsoft.PowerApps/apis/${name}`;

export const DEMO_REFERENCES: ScenarioConnectionReference[] = [
  { logicalName: 'contoso_sharedoffice365_ref', displayName: 'Office 365 Outlook', connectorId: API('shared_office365'), solution: DEMO_SOLUTION },
  { logicalName: 'contoso_sharedsharepointonline_ref', displayName: 'SharePoint', connectorId: API('shared_sharepointonline'), solution: DEMO_SOLUTION },
  { logicalName: 'contoso_sharedteams_ref', displayName: 'Microsoft Teams', connectorId: API('shared_teams'), solution: DEMO_SOLUTION },
  { logicalName: 'contoso_shareddataverse_ref', displayName: 'Microsoft Dataverse', connectorId: API('shared_commondataserviceforapps'), solution: DEMO_SOLUTION },
];

export const DEMO_ENVIRONMENT_VARIABLES: ScenarioEnvironmentVariableDefinition[] = [
  { schemaName: 'contoso_SiteUrl', displayName: 'Site URL', type: 100000000, isRequired: true, solution: DEMO_SOLUTION },
  { schemaName: 'contoso_ApprovalThreshold', displayName: 'Approval threshold', type: 100000001, defaultValue: '1000', solution: DEMO_SOLUTION },
  { schemaName: 'contoso_NotifyTeams', displayName: 'Notify in Teams', type: 100000002, defaultValue: 'true', solution: DEMO_SOLUTION },
  { schemaName: 'contoso_RoutingRules', displayName: 'Routing rules', type: 100000003, solution: DEMO_SOLUTION },
  { schemaName: 'contoso_ApiKey', displayName: 'Partner API key', type: 100000005, solution: DEMO_SOLUTION },
];

const O365 = { logicalName: 'contoso_sharedoffice365_ref', api: 'shared_office365' };
const SP = { logicalName: 'contoso_sharedsharepointonline_ref', api: 'shared_sharepointonline' };
const TEAMS = { logicalName: 'contoso_sharedteams_ref', api: 'shared_teams' };
const DV = { logicalName: 'contoso_shareddataverse_ref', api: 'shared_commondataserviceforapps' };

const id = (n: number) => `d3a00000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function flow(n: number, name: string, uses: Array<typeof O365>, children: number[] = [], statecode: 0 | 1 = 1): ScenarioFlow {
  return { id: id(n), name, solution: DEMO_SOLUTION, statecode, clientdata: flowClientData(uses, children.map(id)) };
}

/** The flow the team keeps off on purpose: the import turns it on, the activation puts it back off. */
export const KEPT_OFF_FLOW = 'Archive closed requests';
/** New in the version being deployed: the import adds it, off. */
export const NEW_FLOW = flow(10, 'Welcome new approver', [O365], [], 0);

/**
 * A solution as a team would ship it: four connectors, a child-flow chain, environment variables of
 * each type; as installed before this deployment, every flow on but the one kept off.
 */
export const DEMO_FLOWS: ScenarioFlow[] = [
  flow(1, 'Send notification email (child)', [O365]),
  flow(2, 'Post to Teams channel (child)', [TEAMS]),
  flow(3, 'Notify approvers (child)', [DV], [1, 2]),
  flow(4, 'Process expense request', [DV, SP], [3]),
  flow(5, 'Expense intake from SharePoint', [SP], [4]),
  flow(6, 'Daily digest', [O365, SP]),
  flow(7, 'Sync cost centres', [DV]),
  flow(8, KEPT_OFF_FLOW, [SP, DV], [], 0),
  flow(9, 'Escalate overdue approvals', [O365, TEAMS], [3]),
];

export function demoScenario(): Scenario {
  const base = baseScenario();
  return {
    ...base,
    environmentDisplayName: 'Contoso Test',
    users: [...base.users, { ...SERVICE_ACCOUNT }, { ...MAKER }],
    connections: [
      { name: 'shared-office365-5e7a1c00d3a0', connector: 'shared_office365', displayName: 'svc-deploy@contoso.com', createdBy: SERVICE_ACCOUNT.objectId },
      { name: 'shared-sharepointonl-5e7a1c00d3a0', connector: 'shared_sharepointonline', displayName: 'svc-deploy@contoso.com', createdBy: SERVICE_ACCOUNT.objectId },
      // Shared with the pipeline's service principal (Can use): with Impersonation Auto it turns on the
      // flows that use only Teams and Dataverse; the flows with an unshared connection (Outlook,
      // SharePoint) are turned on as the service account that owns it.
      {
        name: 'shared-teams-5e7a1c00d3a0',
        connector: 'shared_teams',
        displayName: 'svc-deploy@contoso.com',
        createdBy: SERVICE_ACCOUNT.objectId,
        sharedWith: [APP_OBJECT_ID],
      },
      {
        name: 'shared-commondataser-5e7a1c00d3a0',
        connector: 'shared_commondataserviceforapps',
        displayName: 'svc-deploy@contoso.com',
        createdBy: SERVICE_ACCOUNT.objectId,
        sharedWith: [APP_OBJECT_ID],
      },
      { name: 'shared-office365-3a4e0000a4e0', connector: 'shared_office365', displayName: 'maker@contoso.com', createdBy: MAKER.objectId },
    ],
    solutions: [{ uniqueName: DEMO_SOLUTION, friendlyName: 'Contoso Operations' }],
    connectionReferences: DEMO_REFERENCES.map((r) => ({ ...r })),
    flows: DEMO_FLOWS.map((f) => ({ ...f })),
    environmentVariableDefinitions: DEMO_ENVIRONMENT_VARIABLES.map((d) => ({ ...d })),
    latency: { readMs: 5, writeMs: 10, activationMs: 40 },
  };
}

/** Writes the demo solution unpacked (Other/Solution.xml, Other/Customizations.xml, environmentvariabledefinitions/). */
export function writeDemoSolution(folder: string): string {
  fs.mkdirSync(path.join(folder, 'Other'), { recursive: true });
  fs.writeFileSync(
    path.join(folder, 'Other', 'Solution.xml'),
    `<?xml version="1.0" encoding="utf-8"?>\n<ImportExportXml version="9.2.24044.188" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive">\n  <SolutionManifest>\n    <UniqueName>${DEMO_SOLUTION}</UniqueName>\n    <Version>1.4.0.0</Version>\n    <Managed>1</Managed>\n  </SolutionManifest>\n</ImportExportXml>\n`,
  );
  const references = DEMO_REFERENCES.map(
    (r) =>
      `    <connectionreference connectionreferencelogicalname="${r.logicalName}">\n      <connectionreferencedisplayname>${r.displayName}</connectionreferencedisplayname>\n      <connectorid>${r.connectorId}</connectorid>\n      <iscustomizable>1</iscustomizable>\n      <statecode>0</statecode>\n      <statuscode>1</statuscode>\n    </connectionreference>`,
  ).join('\n');
  fs.writeFileSync(
    path.join(folder, 'Other', 'Customizations.xml'),
    `<?xml version="1.0" encoding="utf-8"?>\n<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n  <Entities />\n  <Workflows />\n  <connectionreferences>\n${references}\n  </connectionreferences>\n  <Languages>\n    <Language>1033</Language>\n  </Languages>\n</ImportExportXml>\n`,
  );
  for (const definition of DEMO_ENVIRONMENT_VARIABLES) {
    const dir = path.join(folder, 'environmentvariabledefinitions', definition.schemaName);
    fs.mkdirSync(dir, { recursive: true });
    const defaultValue = definition.defaultValue !== undefined ? `\n  <defaultvalue>${definition.defaultValue}</defaultvalue>` : '';
    fs.writeFileSync(
      path.join(dir, 'environmentvariabledefinition.xml'),
      `<environmentvariabledefinition schemaname="${definition.schemaName}">${defaultValue}\n  <displayname default="${definition.displayName}">\n    <label description="${definition.displayName}" languagecode="1033" />\n  </displayname>\n  <isrequired>${definition.isRequired ? 1 : 0}</isrequired>\n  <secretstore>${definition.type === 100000005 ? 1 : 0}</secretstore>\n  <type>${definition.type}</type>\n</environmentvariabledefinition>\n`,
    );
  }
  return folder;
}
