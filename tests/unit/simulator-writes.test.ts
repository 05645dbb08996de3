import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ALICE, APP2, BOB, FLOW_IDS, SP, STAGE_RUN, STAGE_RUN_DONE, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const api = '/api/data/v9.2';

describe('simulator: Dataverse writes and platform rules', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let spToken: string;
  let app2Token: string;

  beforeEach(async () => {
    sim = await startSimulator({ scenario: testScenario() });
    http = simClient(sim);
    spToken = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
    app2Token = await fetchToken(sim, TENANT, APP2.appId, APP2.secret, sim.url, http);
  });
  afterEach(async () => {
    await sim.stop();
  });

  const headers = (extra: Record<string, string | undefined> = {}, token = spToken) => {
    const h: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) h[k] = v;
    return h;
  };
  const patch = (path: string, body: unknown, extra: Record<string, string | undefined> = {}, token = spToken) =>
    http.patch(`${api}/${path}`, JSON.stringify(body), { headers: headers({ 'If-Match': '*', ...extra }, token) });
  const get = (path: string, extra: Record<string, string> = {}) => http.get(`${api}/${path}`, { headers: headers(extra) });
  const crId = (logicalName: string) => sim.state.connectionReference(logicalName)?.connectionreferenceid as string;
  const on = { statecode: 1, statuscode: 2 };
  const asSvc = { CallerObjectId: SVC.objectId };

  describe('PATCH with If-Match', () => {
    it('updates with the current etag, increments it and answers 204 with OData-EntityId', async () => {
      const before = await get(`workflows(${FLOW_IDS.child})?$select=description`);
      const etag = before.data['@odata.etag'] as string;
      const r = await patch(`workflows(${FLOW_IDS.child})`, { description: 'x' }, { 'If-Match': etag });
      assert.strictEqual(r.status, 204);
      assert.strictEqual(r.headers['odata-entityid'], `${sim.url}${api}/workflows(${FLOW_IDS.child})`);
      const after = await get(`workflows(${FLOW_IDS.child})?$select=description`);
      assert.notStrictEqual(after.data['@odata.etag'], etag);
      assert.strictEqual(after.data.description, 'x');
      const entry = sim.log.find((e) => e.method === 'PATCH');
      assert.deepStrictEqual(entry?.body, { description: 'x' });
      assert.strictEqual(entry?.kind, 'write');
    });

    it('answers 412 0x80060882 for a stale etag and changes nothing', async () => {
      const etag = (await get(`workflows(${FLOW_IDS.child})?$select=name`)).data['@odata.etag'] as string;
      await patch(`workflows(${FLOW_IDS.child})`, { description: 'first' });
      const r = await patch(`workflows(${FLOW_IDS.child})`, { description: 'second' }, { 'If-Match': etag });
      assert.strictEqual(r.status, 412);
      assert.deepStrictEqual(r.data, { error: { code: '0x80060882', message: "The version of the existing record doesn't match the RowVersion property provided." } });
      assert.strictEqual(sim.state.flow(FLOW_IDS.child)?.description, 'first');
    });

    it('answers 404 0x80040217 for a missing record, with or without If-Match', async () => {
      const id = '12345678-0000-4000-8000-000000000000';
      for (const ifMatch of ['*', undefined]) {
        const r = await patch(`connectionreferences(${id})`, { description: 'x' }, { 'If-Match': ifMatch });
        assert.strictEqual(r.status, 404);
        assert.deepStrictEqual(r.data, { error: { code: '0x80040217', message: `Entity 'connectionreference' With Id = ${id} Does Not Exist` } });
      }
    });

    it('returns the record with Prefer return=representation', async () => {
      const r = await patch(`workflows(${FLOW_IDS.child})?$select=description`, { description: 'rep' }, { Prefer: 'return=representation' });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.data.description, 'rep');
      assert.strictEqual(r.data.workflowid, FLOW_IDS.child);
      assert.strictEqual(r.headers['preference-applied'], 'return=representation');
    });

    it('rejects unknown properties and a wrongly cased navigation property bind', async () => {
      const r = await patch(`workflows(${FLOW_IDS.child})`, { nosuch: 1 });
      assert.strictEqual(r.status, 400);
      assert.match(r.data.error.message, /^The property 'nosuch' does not exist on type 'Microsoft\.Dynamics\.CRM\.workflow'/);
      const def = (await get("environmentvariabledefinitions?$select=schemaname&$filter=schemaname eq 'contoso_Retries'")).data.value[0]
        .environmentvariabledefinitionid as string;
      const wrong = await http.post(`${api}/environmentvariablevalues`, JSON.stringify({ value: '3', 'environmentvariabledefinitionid@odata.bind': `environmentvariabledefinitions(${def})` }), { headers: headers() });
      assert.strictEqual(wrong.status, 400);
      assert.match(wrong.data.error.message, /^An undeclared property 'environmentvariabledefinitionid' which only has property annotations/);
      const created = await http.post(`${api}/environmentvariablevalues`, JSON.stringify({ value: '3', 'EnvironmentVariableDefinitionId@odata.bind': `/environmentvariabledefinitions(${def})` }), { headers: headers() });
      assert.strictEqual(created.status, 204);
      assert.match(created.headers['odata-entityid'], /environmentvariablevalues\([0-9a-f-]{36}\)$/);
      assert.strictEqual(sim.state.snapshot().environmentVariables.find((e) => e.schemaName === 'contoso_Retries')?.value, '3');
    });
  });

  describe('impersonation', () => {
    it('acts as the CallerObjectId user: WhoAmI, modifiedby, modifiedonbehalfby and the log', async () => {
      const who = await get('WhoAmI', asSvc);
      const svcUser = sim.state.userByObjectId(SVC.objectId);
      assert.strictEqual(who.data.UserId, svcUser?.systemuserid);
      await patch(`workflows(${FLOW_IDS.child})`, { description: 'by svc' }, asSvc);
      const row = sim.state.flow(FLOW_IDS.child);
      assert.strictEqual(row?._modifiedby_value, svcUser?.systemuserid);
      assert.strictEqual(row?._modifiedonbehalfby_value, sim.state.userByObjectId(SP.objectId)?.systemuserid);
      const entry = sim.log.find((e) => e.method === 'PATCH');
      assert.strictEqual(entry?.callerObjectId, SVC.objectId);
      assert.strictEqual(entry?.caller, SP.objectId);
      assert.strictEqual(entry?.effectiveUser, SVC.objectId);
    });

    it('acts as the MSCRMCallerID systemuser, and treats the caller itself as no impersonation', async () => {
      const alice = sim.state.userByObjectId(ALICE.objectId);
      const who = await get('WhoAmI', { MSCRMCallerID: String(alice?.systemuserid) });
      assert.strictEqual(who.data.UserId, alice?.systemuserid);
      assert.strictEqual(sim.log[sim.log.length - 1].mscrmCallerId, alice?.systemuserid);
      const self = await http.get(`${api}/WhoAmI`, { headers: headers({ CallerObjectId: APP2.objectId }, app2Token) });
      assert.strictEqual(self.status, 200, 'CallerObjectId equal to the caller needs no privilege');
    });

    it('answers 403 0x8004A110 when the caller lacks prvActOnBehalfOfAnotherUser', async () => {
      const r = await http.get(`${api}/WhoAmI`, { headers: headers(asSvc, app2Token) });
      assert.strictEqual(r.status, 403);
      assert.deepStrictEqual(r.data, { error: { code: '0x8004A110', message: 'User does not have the privilege to act on behalf another user.' } });
      assert.strictEqual(sim.log[sim.log.length - 1].errorCode, '0x8004A110');
    });

    it('answers 400 with the disabled-user message for a disabled impersonated user, 404 for an unknown one', async () => {
      const r = await get('WhoAmI', { CallerObjectId: BOB.objectId });
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80040225');
      assert.strictEqual(
        r.data.error.message,
        `The user with SystemUserId=${BOB.systemuserid} in OrganizationContext=${sim.state.organizationId} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license assigned to them.`,
      );
      const u = await get('WhoAmI', { CallerObjectId: '0badc0de-0000-4000-8000-000000000000' });
      assert.strictEqual(u.status, 404);
    });
  });

  describe('binding connection references', () => {
    it('lets the connection owner bind it (impersonated)', async () => {
      const r = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' }, asSvc);
      assert.strictEqual(r.status, 204, JSON.stringify(r.data));
      assert.strictEqual(sim.state.connectionReference('contoso_office365')?.connectionid, 'conn-office365');
      const snap = sim.state.snapshot().connectionReferences.find((c) => c.logicalName === 'contoso_office365');
      assert.strictEqual(snap?.modifiedBy, SVC.objectId);
    });

    it('lets a user the connection is shared with bind it', async () => {
      sim.state.connections.find((c) => c.name === 'conn-office365')?.sharedWith?.push(SP.objectId);
      const r = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' });
      assert.strictEqual(r.status, 204);
    });

    it('refuses in the plug-in shape (ConnectionNotFound) when the effective user neither owns nor shares the connection', async () => {
      const r = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' });
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80040265');
      assert.ok(r.data.error.message.startsWith('Request failed with: NotFound and error: {"error":{"code":"ConnectionNotFound","message":"Could not find connection \'conn-office365\' for API \'shared_office365\'."}} and request url '));
      assert.match(r.data.error.message, new RegExp(`maxAssignedTo\\('${SP.objectId}'\\)`));
      assert.strictEqual(sim.log[sim.log.length - 1].errorCode, 'ConnectionNotFound');
      assert.strictEqual(sim.state.connectionReference('contoso_office365')?.connectionid, null);
    });

    it('refuses an unknown connection and a connection of another connector the same way', async () => {
      const a = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'no-such-connection' }, asSvc);
      assert.strictEqual(a.status, 400);
      assert.match(a.data.error.message, /Could not find connection 'no-such-connection' for API 'shared_office365'/);
      const b = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-dataverse' }, asSvc);
      assert.strictEqual(b.status, 400);
      assert.match(b.data.error.message, /"code":"ConnectionNotFound"/);
    });

    it('keeps the earlier answers (403 0x80040220, 400 0x80040203) behind legacyBindingRefusal', async () => {
      sim.state.scenario.legacyBindingRefusal = true;
      const r = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' });
      assert.strictEqual(r.status, 403);
      assert.strictEqual(r.data.error.code, '0x80040220');
      assert.match(r.data.error.message, new RegExp(`'${SP.objectId}'.*'conn-office365'`));
      const a = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'no-such-connection' }, asSvc);
      assert.strictEqual(a.status, 400);
      assert.strictEqual(a.data.error.code, '0x80040203');
    });
  });

  describe('turning flows on', () => {
    it('lets an application user turn on a flow that uses only Dataverse references, and records who', async () => {
      const r = await patch(`workflows(${FLOW_IDS.dvOnly})`, on);
      assert.strictEqual(r.status, 204, JSON.stringify(r.data));
      const row = sim.state.flow(FLOW_IDS.dvOnly);
      assert.strictEqual(row?.statecode, 1);
      assert.strictEqual(row?.statuscode, 2);
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.dvOnly)?.by, SP.objectId);
      const st = await http.get('/_sim/state');
      const flow = (st.data.flows as { id: string; statecode: number; activatedBy: string }[]).find((f) => f.id === FLOW_IDS.dvOnly);
      assert.strictEqual(flow?.activatedBy, SP.objectId);
      const off = await patch(`workflows(${FLOW_IDS.dvOnly})`, { statecode: 0, statuscode: 1 }, { CallerObjectId: ALICE.objectId });
      assert.strictEqual(off.status, 204);
      assert.strictEqual(sim.state.activations.has(FLOW_IDS.dvOnly), false);
    });

    it('answers ConnectionReferenceNotFound 0x80095005 for a reference that does not exist', async () => {
      const r = await patch(`workflows(${FLOW_IDS.missingRef})`, on);
      assert.strictEqual(r.status, 400);
      assert.deepStrictEqual(r.data, {
        error: { code: '0x80095005', message: "Failed to find connection references with logical name(s) 'contoso_missing'. Please check if connection references exists." },
      });
    });

    it('answers 0x80060467 XrmConnectionReferenceMissingConnection for an unbound reference', async () => {
      const r = await patch(`workflows(${FLOW_IDS.mail})`, on, asSvc);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80060467');
      assert.strictEqual(
        r.data.error.message,
        'Flow client error returned with status code "BadRequest" and details "{"error":{"code":"XrmConnectionReferenceMissingConnection","message":"Connection Id missing for connection reference logical name \'contoso_office365\'."}}".',
      );
      assert.strictEqual(sim.log[sim.log.length - 1].errorCode, 'XrmConnectionReferenceMissingConnection');
      assert.strictEqual(sim.state.flow(FLOW_IDS.mail)?.statecode, 0);
    });

    it('answers 403 ConnectionAuthorizationFailed when the effective user cannot use a bound connection', async () => {
      const r = await patch(`workflows(${FLOW_IDS.sharepoint})`, on, asSvc);
      assert.strictEqual(r.status, 403);
      assert.strictEqual(r.data.error.code, '0x80060467');
      const inner = JSON.parse(/details "(.*)"\.$/.exec(r.data.error.message)?.[1] ?? '{}');
      assert.strictEqual(inner.error.code, 'ConnectionAuthorizationFailed');
      assert.strictEqual(
        inner.error.message,
        `The caller object id is '${SVC.objectId}'. Connection '/providers/Microsoft.PowerApps/apis/shared_sharepointonline/connections/conn-sharepoint-alice' to 'shared_sharepointonline' cannot be used to activate this flow, either because this is not a valid connection or because it is not a connection you have access permission for. Either replace the connection with a valid connection you can access or have the connection owner activate the flow, so the connection is shared with you in the context of this flow.`,
      );
      assert.ok(r.data.error.message.startsWith('Flow client error returned with status code "Forbidden" and details "'));
      const ok = await patch(`workflows(${FLOW_IDS.sharepoint})`, on, { CallerObjectId: ALICE.objectId });
      assert.strictEqual(ok.status, 204);
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.sharepoint)?.by, ALICE.objectId);
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.sharepoint)?.caller, SP.objectId);
    });

    it('answers BapListServicePlansFailed/MissingUserDetails for an application user with a non-Dataverse connector (legacyServicePrincipalRule)', async () => {
      sim.state.scenario.legacyServicePrincipalRule = true;
      await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' }, asSvc);
      sim.state.connections.find((c) => c.name === 'conn-office365')?.sharedWith?.push(SP.objectId);
      const r = await patch(`workflows(${FLOW_IDS.mail})`, on);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80060467');
      const inner = JSON.parse(/details "(.*)"\.$/.exec(r.data.error.message)?.[1] ?? '{}');
      assert.strictEqual(inner.error.code, 'BapListServicePlansFailed');
      assert.strictEqual(
        inner.error.message,
        `{"error":{"code":"MissingUserDetails","message":"The user details for tenant id '${TENANT}' and principal id '${SP.objectId}' doesn't exist."}}`,
      );
      const asOwner = await patch(`workflows(${FLOW_IDS.mail})`, on, asSvc);
      assert.strictEqual(asOwner.status, 204);
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.mail)?.by, SVC.objectId);
    });

    it('answers ChildFlowNeverPublished while a called child flow is off, found inside nested actions', async () => {
      const r = await patch(`workflows(${FLOW_IDS.parent})`, on);
      assert.strictEqual(r.status, 400);
      const inner = JSON.parse(/details "(.*)"\.$/.exec(r.data.error.message)?.[1] ?? '{}');
      assert.strictEqual(inner.error.code, 'ChildFlowNeverPublished');
      assert.strictEqual(
        inner.error.message,
        `The workflow with id '${FLOW_IDS.child}' cannot be used as a child workflow because it has never been published. Child workflows need to be published at least once before they can be included in a published parent workflow.`,
      );
      const g = await patch(`workflows(${FLOW_IDS.grandParent})`, on);
      assert.match(g.data.error.message, new RegExp(FLOW_IDS.parent));
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.child})`, on)).status, 204);
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.parent})`, on)).status, 204);
      assert.strictEqual((await patch(`workflows(${FLOW_IDS.grandParent})`, { statecode: 1 })).status, 204);
      assert.deepStrictEqual(sim.state.activationHistory.map((a) => a.workflowId), [FLOW_IDS.child, FLOW_IDS.parent, FLOW_IDS.grandParent]);
    });

    it('reports the first applicable error in rule order (unbound before child flow)', async () => {
      const clientdata = JSON.stringify({
        properties: {
          connectionReferences: { shared_office365: { connection: { connectionReferenceLogicalName: 'contoso_office365' }, api: { name: 'shared_office365' } } },
          definition: { actions: { Run: { type: 'Workflow', inputs: { host: { workflowReferenceName: FLOW_IDS.child } } } } },
        },
      });
      const created = await http.post(`${api}/workflows`, JSON.stringify({ name: 'Mixed', category: 5, type: 1, primaryentity: 'none', clientdata }), {
        headers: headers({ Prefer: 'return=representation' }),
      });
      assert.strictEqual(created.status, 201);
      const id = created.data.workflowid as string;
      assert.strictEqual(created.data.statecode, 0);
      const r = await patch(`workflows(${id})`, on, asSvc);
      assert.match(r.data.error.message, /XrmConnectionReferenceMissingConnection/);
    });

    it('rejects an invalid state/status pair', async () => {
      const r = await patch(`workflows(${FLOW_IDS.dvOnly})`, { statecode: 1, statuscode: 1 });
      assert.strictEqual(r.status, 400);
    });
  });

  describe('UpdateApprovalStatus', () => {
    const post = (body: unknown, token = spToken, extra: Record<string, string> = {}) =>
      http.post(`${api}/UpdateApprovalStatus`, JSON.stringify(body), { headers: headers(extra, token) });

    it('records the approval of the configured service principal and stops the pending state', async () => {
      const r = await post({ StageRunId: STAGE_RUN, ApprovalStatus: 20, ApprovalComments: 'validated', ApprovalProperties: '{"k":1}' });
      assert.strictEqual(r.status, 204, JSON.stringify(r.data));
      const snap = sim.state.snapshot().stageRuns.find((s) => s.id === STAGE_RUN);
      assert.strictEqual(snap?.pendingApproval, false);
      assert.strictEqual(snap?.approvalStatus, 20);
      assert.strictEqual(snap?.approvalComments, 'validated');
      assert.strictEqual(snap?.approvedBy, SP.objectId);
      const again = await post({ StageRunId: STAGE_RUN, ApprovalStatus: 30 });
      assert.strictEqual(again.status, 400);
      assert.strictEqual(again.data.error.message, 'Unable to find approval status attribute for stage run record.');
    });

    it('refuses another service principal and an impersonated call with 403', async () => {
      const msg = "Delegated deployments of type 'ServicePrincipal' may only be approved or rejected by the Service Principal configured in the deployment stage.";
      const other = await post({ StageRunId: STAGE_RUN, ApprovalStatus: 20 }, app2Token);
      assert.strictEqual(other.status, 403);
      assert.strictEqual(other.data.error.message, msg);
      const imp = await post({ StageRunId: STAGE_RUN, ApprovalStatus: 20 }, spToken, asSvc);
      assert.strictEqual(imp.status, 403);
      assert.strictEqual(imp.data.error.message, msg);
      assert.strictEqual(sim.state.stageRuns.get(STAGE_RUN)?.pendingApproval, true);
    });

    it('answers 400 for a stage run that is not pending approval', async () => {
      const r = await post({ StageRunId: STAGE_RUN_DONE, ApprovalStatus: 30, ApprovalComments: 'no' });
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.message, 'Unable to find approval status attribute for stage run record.');
    });

    it('lets the deployment settings of a stage run be read and updated', async () => {
      const settings = JSON.stringify({ EnvironmentVariables: [{ SchemaName: 'contoso_ApiUrl', Value: 'x' }], ConnectionReferences: [] });
      const r = await patch(`deploymentstageruns(${STAGE_RUN})`, { deploymentsettingsjson: settings });
      assert.strictEqual(r.status, 204);
      const g = await get(`deploymentstageruns(${STAGE_RUN})?$select=deploymentsettingsjson,stagerunstatus`);
      assert.strictEqual(g.data.deploymentsettingsjson, settings);
      assert.strictEqual(g.data.stagerunstatus, 200000005);
    });
  });
});
