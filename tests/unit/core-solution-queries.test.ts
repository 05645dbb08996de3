import * as assert from 'assert';
import * as fs from 'fs';
import { startSimulator, Simulator } from '../simulator';
import { HttpClient } from '../../tasks/common/http-client';
import { DataverseClient } from '../../tasks/common/dataverse';
import { UserError } from '../../tasks/common/errors';
import { findSolution, findSystemUsers } from '../../tasks/common/solution-queries';
import { baseScenario, TENANT_ID } from '../helpers/base-scenario';
import { simulatorDataverse } from '../helpers/simulator-dataverse';

const GUEST = { objectId: '9e570000-0000-4000-8000-0000000009e5', upn: 'alex_fabrikam.com#EXT#@contoso.onmicrosoft.com', fullName: 'Alex (guest)' };
const MEMBER = { objectId: '9e570000-0000-4000-8000-000000000001', upn: 'sam+ops@contoso.com', fullName: 'Sam' };

describe('solution and user lookups with hostile or unusual names', () => {
  let sim: Simulator;
  let http: HttpClient;
  let dataverse: DataverseClient;

  before(async () => {
    sim = await startSimulator({
      scenario: baseScenario({
        users: [...baseScenario().users, GUEST, MEMBER],
        solutions: [{ uniqueName: 'Core' }, { uniqueName: "O'Brien" }],
      }),
    });
    ({ http, dataverse } = simulatorDataverse(sim));
  });
  after(async () => {
    http?.close();
    await sim?.stop();
  });

  it('finds a guest (#EXT#) and a plus-addressed user by UPN', async () => {
    const users = await findSystemUsers(dataverse, { upns: [GUEST.upn.toUpperCase(), MEMBER.upn] });
    assert.deepStrictEqual(users.map((u) => u.azureactivedirectoryobjectid).sort(), [MEMBER.objectId, GUEST.objectId].sort());
  });

  it('finds a solution whose name holds a quote', async () => {
    const solution = await findSolution(dataverse, "O'Brien", (name) => `not found: ${name}`);
    assert.strictEqual(solution.uniquename, "O'Brien");
  });

  it('reports "not found" for names that try to widen the filter', async () => {
    for (const name of ["Core' or uniquename ne 'x", "x' or 'a' eq 'a", 'Core&$filter=true', "Core'#", 'Core%27 or true']) {
      await assert.rejects(findSolution(dataverse, name, (n) => `not found: ${n}`), (error: unknown) => error instanceof UserError && error.message === `not found: ${name}`, name);
    }
  });
});

describe('simulator: one address per API family', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario: baseScenario() });
  });
  after(async () => sim?.stop());

  it('answers 404 on a family address for another family, and logs which address was called', async () => {
    const http = new HttpClient({ network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')] } });
    try {
      const urls = new Set(Object.values(sim.urls));
      assert.strictEqual(urls.size, 6, 'six distinct addresses');
      assert.ok(!urls.has(sim.url), 'none is the all-in-one address');
      const wrong = await http.request({ method: 'GET', url: `${sim.urls.admin}/api/data/v9.2/WhoAmI`, acceptStatus: [404] });
      assert.strictEqual(wrong.status, 404);
      const config = await http.request<{ token_endpoint: string }>({ method: 'GET', url: `${sim.urls.authority}/${TENANT_ID}/v2.0/.well-known/openid-configuration` });
      assert.strictEqual(config.data.token_endpoint, `${sim.urls.authority}/${TENANT_ID}/oauth2/v2.0/token`);
      const onMain = await http.request({ method: 'GET', url: `${sim.url}/${TENANT_ID}/v2.0/.well-known/openid-configuration` });
      assert.strictEqual(onMain.status, 200, 'the main address still serves every family');
      assert.deepStrictEqual(
        sim.log.map((entry) => [entry.listener, entry.api, entry.status, entry.errorCode]),
        [
          ['admin', 'dataverse', 404, 'WrongEndpoint'],
          ['authority', 'token', 200, undefined],
          ['all', 'token', 200, undefined],
        ],
      );
    } finally {
      http.close();
    }
  });
});
