import * as assert from 'assert';
import { parseErrorBody } from '../../tasks/common/platform-errors';
import { classifyFlowError } from '../../tasks/DataverseActivateFlowsV1/modules/classify';

const loc = (key: string, ...args: unknown[]) => `${key}(${args.join('|')})`;

/** Dataverse's FlowServiceClientError wrapping a Flow service error, as the Web API answers it. */
function flowError(status: number, statusName: string, code: string, message: string) {
  const details = JSON.stringify({ error: { code, message } });
  return parseErrorBody(
    status,
    { error: { code: '0x80060467', message: `Flow client error returned with status code "${statusName}" and details "${details}".` } },
    'PATCH',
    'https://contoso.crm.dynamics.com/api/data/v9.2/workflows(x)',
  );
}

const context = {
  actorName: 'alice@contoso.com',
  flowName: (id: string) => (id === '0f5b7a1c-2d3e-4f60-8a9b-0c1d2e3f4a5b' ? 'Child flow' : undefined),
  connectionOwner: (id: string) => (id === 'shared-office365-123' ? 'bob@contoso.com' : undefined),
};

describe('activate: classifying activation errors', () => {
  it('keeps the Flow code and says which reference to bind', () => {
    const error = classifyFlowError(
      flowError(400, 'BadRequest', 'XrmConnectionReferenceMissingConnection', "Connection Id missing for connection reference logical name 'contoso_outlook'."),
      context,
      loc,
    );
    assert.strictEqual(error.code, 'XrmConnectionReferenceMissingConnection');
    assert.strictEqual(error.hint, 'HintBindReference(contoso_outlook|contoso_outlook)');
  });

  it('says which connection to share with whom', () => {
    const error = classifyFlowError(
      flowError(
        403,
        'Forbidden',
        'ConnectionAuthorizationFailed',
        "The caller object id is 'a11ce'. Connection '/providers/Microsoft.PowerApps/apis/shared_office365/connections/shared-office365-123' to 'shared_office365' cannot be used to activate this flow.",
      ),
      context,
      loc,
    );
    assert.strictEqual(error.code, 'ConnectionAuthorizationFailed');
    assert.strictEqual(error.hint, 'HintShareConnection(shared-office365-123|bob@contoso.com|alice@contoso.com)');
  });

  it('names the child flow to turn on first', () => {
    const error = classifyFlowError(
      flowError(400, 'BadRequest', 'ChildFlowNeverPublished', "The workflow with id '0F5B7A1C-2D3E-4F60-8A9B-0C1D2E3F4A5B' cannot be used as a child workflow because it has never been published."),
      context,
      loc,
    );
    assert.strictEqual(error.hint, 'HintChildNotOn(Child flow)');
  });

  it('explains the service principal limits, licences and the act-on-behalf privilege', () => {
    const inner = JSON.stringify({ error: { code: 'MissingUserDetails', message: "The user details for tenant id 't' and principal id 'p' doesn't exist." } });
    assert.strictEqual(classifyFlowError(flowError(400, 'BadRequest', 'BapListServicePlansFailed', inner), context, loc).hint, 'HintShareOrImpersonate(alice@contoso.com)');
    assert.strictEqual(
      classifyFlowError(flowError(403, 'Forbidden', 'MissingAdequateQuotaPolicy', 'no plan'), context, loc).hint,
      'HintLicense(alice@contoso.com)',
    );
    const privilege = parseErrorBody(403, { error: { code: '0x8004A110', message: 'User does not have the privilege to act on behalf another user.' } }, 'PATCH', 'https://x/');
    assert.deepStrictEqual(classifyFlowError(privilege, context, loc), {
      code: '0x8004A110',
      message: 'User does not have the privilege to act on behalf another user.',
      hint: 'HintActOnBehalf()',
    });
    const disabled = parseErrorBody(400, { error: { code: '0x80040225', message: 'The user is disabled.' } }, 'PATCH', 'https://x/');
    assert.strictEqual(classifyFlowError(disabled, context, loc).hint, 'HintUserDisabled(alice@contoso.com)');
  });

  it('keeps an unknown code with no hint, and a non-platform error as Error', () => {
    const other = parseErrorBody(400, { error: { code: '0x80040203', message: 'Invalid argument.' } }, 'PATCH', 'https://x/');
    assert.deepStrictEqual(classifyFlowError(other, context, loc), { code: '0x80040203', message: 'Invalid argument.', hint: undefined });
    assert.deepStrictEqual(classifyFlowError(new Error('socket closed'), context, loc), { code: 'Error', message: 'socket closed' });
  });
});
