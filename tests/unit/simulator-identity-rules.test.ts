import * as assert from 'assert';
import { AxiosInstance } from 'axios';
import { Scenario, Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ALICE, FLOW_IDS, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

const api = '/api/data/v9.2';
const INVOKER_FLOW = 'f0000000-0000-4000-8000-000000000061';
const on = { statecode: 1, statuscode: 2 };

/** The platform's nested `{"error":...}` inside a message, found by its JSON, not by (translated) words. */
function innerError(message: string): { code: string; message: string } {
  const start = message.indexOf('{"error"');
  assert.ok(start >= 0, message);
  let depth = 0;
  for (let i = start; i < message.length; i++) {
    if (message[i] === '{') depth++;
    if (message[i] === '}' && --depth === 0) return (JSON.parse(message.slice(start, i + 1)) as { error: { code: string; message: string } }).error;
  }
  throw new Error(`no complete JSON in ${message}`);
}

function scenario(extra: Partial<Scenario> = {}): Scenario {
  const s = testScenario();
  s.flows.push({
    id: INVOKER_FLOW,
    name: 'Run-only SharePoint',
    solution: 'ContosoCore',
    clientdata: {
      properties: {
        connectionReferences: {
          shared_sharepointonline: { runtimeSource: 'invoker', connection: { connectionReferenceLogicalName: 'contoso_sharepoint' }, api: { name: 'shared_sharepointonline' } },
        },
        definition: { actions: {} },
      },
    },
  });
  return { ...s, ...extra };
}

describe('simulator: who may turn flows on and bind references (corrected rules), localized errors', () => {
  const sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });

  async function start(extra: Partial<Scenario> = {}) {
    const sim = await startSimulator({ scenario: scenario(extra) });
    sims.push(sim);
    const http: AxiosInstance = simClient(sim);
    const token = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
    const patch = (path: string, body: unknown, extra2: Record<string, string> = {}) =>
      http.patch(`${api}/${path}`, JSON.stringify(body), {
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json', 'If-Match': '*', ...extra2 },
      });
    const whoAmI = (extra2: Record<string, string> = {}) => http.get(`${api}/WhoAmI`, { headers: { Authorization: `Bearer ${token}`, ...extra2 } });
    const crId = (logicalName: string) => sim.state.connectionReference(logicalName)?.connectionreferenceid as string;
    const share = (connection: string, oid: string) => sim.state.connections.find((c) => c.name === connection)?.sharedWith?.push(oid);
    return { sim, patch, whoAmI, crId, share };
  }

  describe('turning flows on', () => {
    it('lets a service principal turn on a flow whose user connection is shared with it', async () => {
      const { sim, patch, share } = await start();
      share('conn-sharepoint-alice', SP.objectId);
      const r = await patch(`workflows(${FLOW_IDS.sharepoint})`, on);
      assert.strictEqual(r.status, 204, JSON.stringify(r.data));
      assert.strictEqual(sim.state.activations.get(FLOW_IDS.sharepoint)?.by, SP.objectId);
    });

    it('refuses a service principal a connection that is neither its own nor shared with it (ConnectionAuthorizationFailed naming it)', async () => {
      const { patch } = await start();
      const r = await patch(`workflows(${FLOW_IDS.sharepoint})`, on);
      assert.strictEqual(r.status, 403);
      const inner = innerError(r.data.error.message);
      assert.strictEqual(inner.code, 'ConnectionAuthorizationFailed');
      assert.match(inner.message, new RegExp(`^The caller object id is '${SP.objectId}'`));
    });

    it('keeps BapListServicePlansFailed for an application user only with legacyServicePrincipalRule', async () => {
      const { patch, share } = await start({ legacyServicePrincipalRule: true });
      share('conn-sharepoint-alice', SP.objectId);
      const r = await patch(`workflows(${FLOW_IDS.sharepoint})`, on);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(innerError(r.data.error.message).code, 'BapListServicePlansFailed');
    });

    it('ignores CallerObjectId for an activation with ignoreCallerObjectIdForActivation, while WhoAmI still honours it', async () => {
      const { sim, patch, whoAmI } = await start({ ignoreCallerObjectIdForActivation: true });
      const asAlice = { CallerObjectId: ALICE.objectId };
      const who = await whoAmI(asAlice);
      assert.strictEqual(who.data.UserId, sim.state.userByObjectId(ALICE.objectId)?.systemuserid);
      const r = await patch(`workflows(${FLOW_IDS.sharepoint})`, on, asAlice);
      assert.strictEqual(r.status, 403);
      assert.match(innerError(r.data.error.message).message, new RegExp(`'${SP.objectId}'`), 'the error names the service principal as the caller');
      const entry = sim.log[sim.log.length - 1];
      assert.strictEqual(entry.callerObjectId, ALICE.objectId);
      assert.strictEqual(entry.effectiveUser, SP.objectId);
      const off = await patch(`workflows(${FLOW_IDS.dvOnly})`, { description: 'x' }, asAlice);
      assert.strictEqual(off.status, 204);
      assert.strictEqual(sim.log[sim.log.length - 1].effectiveUser, ALICE.objectId, 'other writes are still impersonated');
    });

    it('checks invoker (run-only) references at activation by default, and skips them when checkInvokerReferencesAtActivation is false', async () => {
      const checked = await start();
      const r = await checked.patch(`workflows(${INVOKER_FLOW})`, on);
      assert.strictEqual(r.status, 403);
      assert.strictEqual(innerError(r.data.error.message).code, 'ConnectionAuthorizationFailed');
      assert.strictEqual((await checked.patch(`workflows(${INVOKER_FLOW})`, on, { CallerObjectId: ALICE.objectId })).status, 204);

      const skipped = await start({ checkInvokerReferencesAtActivation: false });
      const s = await skipped.patch(`workflows(${INVOKER_FLOW})`, on);
      assert.strictEqual(s.status, 204, JSON.stringify(s.data));
      assert.strictEqual(skipped.sim.state.activations.get(INVOKER_FLOW)?.by, SP.objectId);
    });
  });

  describe('localized messages', () => {
    const languages = [
      { language: 'fr' as const, outer: /^Une erreur du client de flux a été retournée avec le code d'état « BadRequest »/, inner: /^ID de connexion manquant/, bind: /^Échec de la demande : NotFound/ },
      { language: 'es' as const, outer: /^Se devolvió el error del cliente de flujo con el código de estado "BadRequest" y los detalles "/, inner: /^Falta el identificador de conexión/, bind: /^Error en la solicitud: NotFound/ },
      { language: 'de' as const, outer: /^Flow-Clientfehler mit dem Statuscode "BadRequest"/, inner: /^Die Verbindungs-ID/, bind: /^Anforderung fehlgeschlagen mit: NotFound/ },
      { language: 'nb' as const, outer: /^Flytklientfeil returnert med statuskoden «BadRequest»/, inner: /^Tilkoblings-ID mangler/, bind: /^Forespørselen mislyktes med: NotFound/ },
    ];
    for (const l of languages) {
      it(`answers in ${l.language}: outer and inner texts translated, codes unchanged`, async () => {
        const { sim, patch, crId } = await start({ language: l.language });
        const unbound = await patch(`workflows(${FLOW_IDS.mail})`, on, { CallerObjectId: SVC.objectId });
        assert.strictEqual(unbound.status, 400);
        assert.strictEqual(unbound.data.error.code, '0x80060467');
        assert.match(unbound.data.error.message, l.outer);
        const inner = innerError(unbound.data.error.message);
        assert.strictEqual(inner.code, 'XrmConnectionReferenceMissingConnection');
        assert.match(inner.message, l.inner);
        assert.match(inner.message, /contoso_office365/);

        const refused = await patch(`workflows(${FLOW_IDS.sharepoint})`, on);
        assert.strictEqual(innerError(refused.data.error.message).code, 'ConnectionAuthorizationFailed');
        assert.ok(!/cannot be used to activate this flow/.test(refused.data.error.message));

        const bind = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' });
        assert.strictEqual(bind.status, 400);
        assert.strictEqual(bind.data.error.code, '0x80040265');
        assert.match(bind.data.error.message, l.bind);
        const bindInner = innerError(bind.data.error.message);
        assert.strictEqual(bindInner.code, 'ConnectionNotFound');
        assert.match(bindInner.message, /'conn-office365'.*'shared_office365'/);
        assert.ok(!bindInner.message.startsWith('Could not find'));
        assert.deepStrictEqual(sim.log.filter((e) => e.method === 'PATCH').map((e) => e.errorCode), ['XrmConnectionReferenceMissingConnection', 'ConnectionAuthorizationFailed', 'ConnectionNotFound']);
      });
    }
  });

  it('binds in the plug-in shape: owner and shared users may bind, others get ConnectionNotFound naming the connection and the API', async () => {
    const { patch, crId, share } = await start();
    const r = await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' });
    assert.strictEqual(r.status, 400);
    assert.deepStrictEqual(innerError(r.data.error.message), { code: 'ConnectionNotFound', message: "Could not find connection 'conn-office365' for API 'shared_office365'." });
    share('conn-office365', SP.objectId);
    assert.strictEqual((await patch(`connectionreferences(${crId('contoso_office365')})`, { connectionid: 'conn-office365' })).status, 204);
  });
});
