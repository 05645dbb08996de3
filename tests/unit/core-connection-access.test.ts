import * as assert from 'assert';
import { PowerAppsConnection, connectionAccess } from '../../tasks/common/admin';

const SP = '66666666-7777-4888-8999-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';

function listed(createdBy: string, permissions?: Array<{ principal: string; roleName: string }>): PowerAppsConnection {
  return {
    name: 'conn-1',
    id: '/providers/Microsoft.PowerApps/scopes/admin/environments/env/apis/shared_office365/connections/conn-1',
    properties: {
      apiId: '/providers/Microsoft.PowerApps/apis/shared_office365',
      createdBy: { id: createdBy },
      permissions: permissions?.map((p) => ({
        name: p.principal,
        properties: { roleName: p.roleName, principal: { id: p.principal.toUpperCase(), type: p.principal === SP ? 'ServicePrincipal' : 'User' } },
      })),
    },
  };
}

describe('connection access of a principal (role assignments from the listing)', () => {
  it('is owner for the creator, shared for a Can use assignment, and nothing without an assignment', () => {
    assert.strictEqual(connectionAccess(listed(SP), SP), 'owner');
    assert.strictEqual(connectionAccess(listed(ALICE, [{ principal: SP, roleName: 'CanView' }]), SP), 'shared');
    assert.strictEqual(connectionAccess(listed(ALICE, [{ principal: SP, roleName: 'CanViewWithShare' }]), SP.toUpperCase()), 'shared');
    assert.strictEqual(connectionAccess(listed(ALICE, [{ principal: SP, roleName: 'Owner' }]), SP), 'owner');
    assert.strictEqual(connectionAccess(listed(ALICE, []), SP), undefined);
    assert.strictEqual(connectionAccess(listed(ALICE), SP), undefined, 'not expanded: not known to be shared');
    assert.strictEqual(connectionAccess(listed(ALICE, [{ principal: ALICE, roleName: 'Owner' }]), SP), undefined);
  });
});
