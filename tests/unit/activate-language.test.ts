import * as assert from 'assert';
import { parseErrorBody, unwrapNestedError } from '../../tasks/common/platform-errors';
import { classifyFlowError, connectionIn, isTransientMissingConnection } from '../../tasks/DataverseActivateFlowsV1/modules/classify';
import { guidsIn } from '../../tasks/common/task-inputs';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;
const SP = '66666666-7777-4888-8999-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';

const missing = (name: string) => JSON.stringify({ error: { code: 'XrmConnectionReferenceMissingConnection', message: `Falta el identificador de conexión para el nombre lógico de la referencia de conexión '${name}'.` } });
/** The Spanish outer text as a public report quotes it (dataverse-facts, Corrections). */
const spanish = (details: string) => `Se devolvió el error del cliente de flujo con el código de estado "BadRequest" y los detalles "${details}".`;
const french = (status: string, details: string) => `Une erreur du client de flux a été retournée avec le code d'état « ${status} » et les détails « ${details} ».`;

function dataverseError(status: number, message: string) {
  return parseErrorBody(status, JSON.stringify({ error: { code: '0x80060467', message } }), 'PATCH', 'https://contoso.crm4.dynamics.com/api/data/v9.2/workflows(x)');
}

const context = {
  actorName: 'alice@contoso.com',
  servicePrincipalObjectId: SP,
  servicePrincipalName: 'ALM pipeline',
  referenceNames: ['contoso_outlook', 'contoso_teams'],
  flowName: (id: string) => (id === '0f5b7a1c-2d3e-4f60-8a9b-0c1d2e3f4a5b' ? 'Child flow' : undefined),
  connectionOwner: (id: string) => (id === 'conn-outlook-alice' ? 'alice@contoso.com' : undefined),
};

const authorizationFailed = (caller: string) =>
  JSON.stringify({
    error: {
      code: 'ConnectionAuthorizationFailed',
      message: `L'ID d'objet de l'appelant est '${caller}'. La connexion '/providers/Microsoft.PowerApps/apis/shared_office365/connections/conn-outlook-alice' à 'shared_office365' ne peut pas être utilisée pour activer ce flux.`,
    },
  });

describe('platform errors in any language', () => {
  it('unwraps the Flow error of a Spanish message by its JSON', () => {
    const error = dataverseError(400, spanish(missing('contoso_outlook')));
    assert.strictEqual(error.effectiveCode, 'XrmConnectionReferenceMissingConnection');
    assert.match(error.effectiveMessage, /contoso_outlook/);
    assert.match(error.platformMessage, /^Se devolvió/, 'the raw message is kept');
  });

  it('unwraps a French message whose quotes are guillemets, and JSON whose quotes are escaped', () => {
    assert.strictEqual(unwrapNestedError(french('Forbidden', authorizationFailed(SP)))?.code, 'ConnectionAuthorizationFailed');
    const escaped = french('BadRequest', missing('contoso_teams').replace(/"/g, '\\"'));
    assert.deepStrictEqual(unwrapNestedError(escaped)?.code, 'XrmConnectionReferenceMissingConnection');
  });

  it('unwraps a binding refusal of the connection reference plug-in (Request failed with: <status> and error: {json})', () => {
    const inner = JSON.stringify({ error: { code: 'ConnectionNotFound', message: "No se encontró la conexión 'c1' para la API 'shared_office365'." } });
    const message = `Error en la solicitud: NotFound y error: ${inner} y dirección URL de la solicitud https://api.powerapps.com/providers/Microsoft.PowerApps/scopes/service/apis/shared_office365/connections/c1?api-version=2018-10-01`;
    const error = parseErrorBody(400, { error: { code: '0x80040265', message } }, 'PATCH', 'https://x/api/data/v9.2/connectionreferences(1)');
    assert.strictEqual(error.effectiveCode, 'ConnectionNotFound');
    assert.match(error.effectiveMessage, /'c1'/);
  });

  it('leaves a message without embedded JSON alone', () => {
    const error = parseErrorBody(400, { error: { code: '0x80040203', message: 'Argument non valide.' } }, 'PATCH', 'https://x/');
    assert.deepStrictEqual([error.effectiveCode, error.effectiveMessage], ['0x80040203', 'Argument non valide.']);
  });

  it('finds ids by GUID and connection path, whatever the sentence', () => {
    assert.deepStrictEqual(guidsIn(`L'ID est '${SP.toUpperCase()}' et {${ALICE}}`), [SP, ALICE]);
    assert.deepStrictEqual(connectionIn("La connexion « /providers/Microsoft.PowerApps/apis/shared_teams/connections/abc-123 » à"), { connector: 'shared_teams', connectionId: 'abc-123' });
  });
});

describe('activate: classifying translated errors', () => {
  it('classifies a Spanish unbound reference with the reference to bind, and keeps the raw message', () => {
    const error = classifyFlowError(dataverseError(400, spanish(missing('contoso_outlook'))), context, loc);
    assert.strictEqual(error.code, 'XrmConnectionReferenceMissingConnection');
    assert.strictEqual(error.hint, 'HintBindReference(contoso_outlook|contoso_outlook)');
    assert.match(error.rawMessage ?? '', /^Se devolvió/);
  });

  it('classifies a French refusal made as the service principal with the connection to share with it', () => {
    const error = classifyFlowError(dataverseError(403, french('Forbidden', authorizationFailed(SP))), { ...context, actorName: 'service principal (ALM pipeline)' }, loc);
    assert.strictEqual(error.code, 'ConnectionAuthorizationFailed');
    assert.strictEqual(error.hint, 'HintShareConnection(conn-outlook-alice|alice@contoso.com|service principal (ALM pipeline))');
  });

  it('reports a refusal naming the service principal after a request made as the owner as ImpersonationIgnored, naming the connection', () => {
    const error = classifyFlowError(dataverseError(403, french('Forbidden', authorizationFailed(SP))), { ...context, actingUserObjectId: ALICE }, loc);
    assert.strictEqual(error.code, 'ImpersonationIgnored');
    assert.match(error.message, /^MsgImpersonationIgnored\(alice@contoso\.com\|ALM pipeline\|conn-outlook-alice\|/);
    assert.strictEqual(error.hint, 'HintImpersonationIgnored(conn-outlook-alice|alice@contoso.com|ALM pipeline)');
  });

  it('does not take a refusal of the act-on-behalf privilege that happens to name the service principal for ignored impersonation', () => {
    const error = parseErrorBody(403, { error: { code: '0x8004A110', message: `L'utilisateur ${SP} n'a pas le privilège d'agir au nom d'un autre utilisateur.` } }, 'PATCH', 'https://x/');
    assert.strictEqual(classifyFlowError(error, { ...context, actingUserObjectId: ALICE }, loc).code, '0x8004A110');
  });

  it('a refused impersonated activation names the connection and says to share it with the service principal or use Auto', () => {
    const error = classifyFlowError(dataverseError(403, french('Forbidden', authorizationFailed(ALICE))), { ...context, actingUserObjectId: ALICE }, loc);
    assert.strictEqual(error.code, 'ConnectionAuthorizationFailed');
    assert.strictEqual(error.hint, 'HintShareWithServicePrincipal(conn-outlook-alice|alice@contoso.com|ALM pipeline|alice@contoso.com)');
  });

  it('names the child flow by its GUID in a Spanish message', () => {
    const inner = JSON.stringify({ error: { code: 'ChildFlowNeverPublished', message: "El flujo de trabajo con el id. '0F5B7A1C-2D3E-4F60-8A9B-0C1D2E3F4A5B' no se puede usar como flujo de trabajo secundario." } });
    assert.strictEqual(classifyFlowError(dataverseError(400, spanish(inner)), context, loc).hint, 'HintChildNotOn(Child flow)');
  });
});

describe('activate: an unbound reference that reads back as bound', () => {
  const references = [
    { logicalName: 'contoso_outlook', connectionId: 'conn-outlook-alice' },
    { logicalName: 'contoso_teams' },
  ];
  it('is transient when the reference named is bound (saved asynchronously), not when it is really unbound', () => {
    assert.strictEqual(isTransientMissingConnection(dataverseError(400, spanish(missing('contoso_outlook'))), { references }), true);
    assert.strictEqual(isTransientMissingConnection(dataverseError(400, spanish(missing('contoso_teams'))), { references }), false);
    assert.strictEqual(isTransientMissingConnection(dataverseError(403, french('Forbidden', authorizationFailed(SP))), { references }), false);
    assert.strictEqual(isTransientMissingConnection(new Error('x'), { references }), false);
  });
});
