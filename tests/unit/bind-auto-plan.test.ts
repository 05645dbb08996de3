import * as assert from 'assert';
import { ConnectionInfo, OwnerSpec, normaliseConnectionId, ownedBy, pickOwnerConnection } from '../../tasks/common/connections';
import { parseErrorBody } from '../../tasks/common/platform-errors';
import { withObjectId, withOwnerObjectIds } from '../../tasks/common/owner-resolution';
import { ConnectionReferenceRecord } from '../../tasks/common/solution-queries';
import { TaskHost } from '../../tasks/common/task-host';
import { describeWriteFailure } from '../../tasks/DataverseBindConnectionReferencesV1/modules/classify';
import { PlanInput, PlanItem, planBindings } from '../../tasks/DataverseBindConnectionReferencesV1/modules/plan';

const SP = 'a0000000-0000-4000-8000-00000000000a';
const ALICE = 'a1111111-1111-4111-8111-111111111111';
const OFFICE = '/providers/Microsoft.PowerApps/apis/shared_office365';

function connection(id: string, owner: string, upn?: string): ConnectionInfo {
  return { id, connector: 'shared_office365', connected: true, status: 'Connected', ownerObjectId: owner, ownerUpn: upn };
}

function reference(logicalName: string, connectionid?: string): ConnectionReferenceRecord {
  return { connectionreferenceid: `id-${logicalName}`, connectionreferencelogicalname: logicalName, connectorid: OFFICE, connectionid };
}

function plan(wanted: Record<string, string>, overrides: Partial<PlanInput> = {}): Map<string, PlanItem> {
  const result = planBindings({
    references: Object.keys(wanted).map((name) => reference(name)),
    settings: new Map(Object.entries(wanted)),
    sources: { byLogicalName: () => undefined, byConnector: () => undefined, ownerFor: () => undefined },
    connections: [connection('office-shared', ALICE), connection('office-alice', ALICE), connection('office-sp', SP)],
    users: [{ systemuserid: 'su-alice', azureactivedirectoryobjectid: ALICE }],
    impersonation: 'Auto',
    servicePrincipalObjectId: SP,
    sharedWithServicePrincipal: new Set(['office-shared']),
    failOnUnbound: true,
    ...overrides,
  });
  return new Map(result.items.map((i) => [i.logicalName, i]));
}

describe('bind: Impersonation Auto plan', () => {
  it('binds as the service principal where it owns or is shared the connection, otherwise as the owner, and says why', () => {
    const items = plan({ shared: 'office-shared', unshared: 'office-alice', own: 'office-sp' });
    const summary = (name: string) => {
      const item = items.get(name)!;
      return [item.actor?.kind === 'user' ? item.actor.objectId : item.actor?.kind, item.actorReason];
    };
    assert.deepStrictEqual(summary('shared'), ['servicePrincipal', 'sharedWithServicePrincipal']);
    assert.deepStrictEqual(summary('unshared'), [ALICE, 'connectionOwner']);
    assert.deepStrictEqual(summary('own'), ['servicePrincipal', 'ownedByServicePrincipal']);
  });

  it('ConnectionOwner keeps acting as the owner of a shared connection; None never impersonates', () => {
    assert.deepStrictEqual(plan({ shared: 'office-shared' }, { impersonation: 'ConnectionOwner' }).get('shared')?.actorReason, 'connectionOwner');
    const none = plan({ unshared: 'office-alice' }, { impersonation: 'None' }).get('unshared')!;
    assert.deepStrictEqual([none.actor?.kind, none.actorReason], ['servicePrincipal', 'impersonationNone']);
  });

  it('an owner whose impersonation the platform ignored cannot be acted as, with its own code', () => {
    const item = plan(
      { unshared: 'office-alice' },
      { actOnBehalf: new Map([[ALICE, { ok: false, kind: 'impersonationIgnored', code: 'ImpersonationIgnored', message: 'WhoAmI answered as x', answeredAs: 'x', expected: 'su-alice' }]]) },
    ).get('unshared')!;
    assert.strictEqual(item.action, 'problem');
    assert.deepStrictEqual([item.problem?.kind, item.problem?.platformCode], ['OwnerCannotBeActedAs', 'ImpersonationIgnored']);
  });

  it('reads a connector/id connection id as the id', () => {
    assert.strictEqual(normaliseConnectionId('shared_commondataserviceforapps/5f0c1b2a3d4e'), '5f0c1b2a3d4e');
    assert.strictEqual(normaliseConnectionId('/providers/Microsoft.PowerApps/apis/shared_sql/connections/abc'), 'abc');
    assert.strictEqual(normaliseConnectionId(' abc '), 'abc');
    assert.strictEqual(plan({ shared: 'shared_office365/office-shared' }).get('shared')?.wantedConnectionId, 'office-shared');
  });
});

describe('connection owners given by UPN', () => {
  const listedWithoutUpn = [connection('office-alice', ALICE)];

  it('are matched on createdBy.id once their object id is known', () => {
    const owner = { raw: 'Alice@Contoso.com', upn: 'alice@contoso.com' };
    assert.strictEqual(ownedBy(listedWithoutUpn[0], owner), false);
    const resolved = withObjectId(owner, new Map([['alice@contoso.com', ALICE]]))!;
    assert.strictEqual(resolved.objectId, ALICE);
    assert.ok('connection' in pickOwnerConnection(listedWithoutUpn, resolved, OFFICE));
  });

  it('still match on the UPN when the user is not found in the environment', () => {
    const owner = { raw: 'alice@contoso.com', upn: 'alice@contoso.com' };
    assert.strictEqual(withObjectId(owner, new Map()), owner);
    assert.ok(ownedBy(connection('office-alice', ALICE, 'alice@contoso.com'), owner));
  });

  it('are resolved for every source that names one', () => {
    const sources = { byLogicalName: () => undefined, ownerFor: (name: string): OwnerSpec | undefined => (name === 'a' ? { raw: 'alice@contoso.com', upn: 'alice@contoso.com' } : undefined) };
    const wrapped = withOwnerObjectIds(sources, new Map([['alice@contoso.com', ALICE]]));
    assert.strictEqual(wrapped.ownerFor('a')?.objectId, ALICE);
    assert.strictEqual(wrapped.ownerFor('b'), undefined);
    assert.strictEqual(typeof wrapped.byLogicalName, 'function');
  });
});

describe('bind: refusals of the connection reference plug-in', () => {
  const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
  const host = { loc } as unknown as TaskHost;
  const item = { logicalName: 'contoso_office', wantedConnectionId: 'office-alice', secret: false, actor: { kind: 'servicePrincipal' } } as unknown as PlanItem;
  const inner = JSON.stringify({ error: { code: 'ConnectionNotFound', message: "No se encontró la conexión 'office-alice' para la API 'shared_office365'." } });

  function refusal(outer: string) {
    return parseErrorBody(400, JSON.stringify({ error: { code: '0x80040265', message: outer } }), 'PATCH', 'https://contoso.crm.dynamics.com/api/data/v9.2/connectionreferences(x)');
  }

  for (const [language, outer] of [
    ['Spanish', `Error en la solicitud: NotFound y error: ${inner} y dirección URL de la solicitud https://api.powerapps.com/x`],
    ['French', `Échec de la demande : NotFound et erreur : ${inner} et URL de la demande https://api.powerapps.com/x`],
    ['English', `Request failed with: NotFound and error: ${inner} and request url https://api.powerapps.com/x`],
  ]) {
    it(`classifies the ${language} text by its inner code and keeps the platform's message`, () => {
      const error = describeWriteFailure(host, item, refusal(outer));
      assert.strictEqual(error.code, 'ConnectionNotFound');
      assert.match(error.message, /No se encontró la conexión 'office-alice'/);
      assert.match(error.hint ?? '', /^HintBindRefusedServicePrincipal\(office-alice\)/);
    });
  }

  it('names the owner when the refused update was made as the owner', () => {
    const asOwner = { ...item, actor: { kind: 'user', objectId: ALICE, reason: 'connectionOwner' } } as PlanItem;
    const error = describeWriteFailure(host, asOwner, refusal(`Request failed with: NotFound and error: ${inner}`));
    assert.match(error.hint ?? '', /^HintBindRefusedOwner\(office-alice\|a1111111/);
  });
});
