import * as assert from 'assert';
import { AxiosInstance, AxiosResponse } from 'axios';
import { Simulator, startSimulator } from '../simulator';
import { fetchToken, simClient } from '../simulator/testing';
import { ENV_ID, FLOW_IDS, ORG_ID, SP, SVC, TENANT, testScenario } from '../simulator/test-scenario';

describe('simulator: Dataverse queries', () => {
  let sim: Simulator;
  let http: AxiosInstance;
  let token: string;
  const api = '/api/data/v9.2';

  before(async () => {
    sim = await startSimulator({ scenario: { ...testScenario(), maxPageSize: 10 } });
    http = simClient(sim);
    token = await fetchToken(sim, TENANT, SP.appId, SP.secret, sim.url, http);
  });
  after(async () => {
    await sim.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    http.get(`${api}/${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers } });

  it('answers WhoAmI and WhoAmI() with the caller systemuserid and OData headers', async () => {
    for (const path of ['WhoAmI', 'WhoAmI()']) {
      const r = await get(path);
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.headers['odata-version'], '4.0');
      assert.strictEqual(r.data['@odata.context'], `${sim.url}${api}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`);
      assert.strictEqual(r.data.OrganizationId, ORG_ID);
      assert.ok(r.data.BusinessUnitId);
      const me = await get(`systemusers(${r.data.UserId})?$select=azureactivedirectoryobjectid,applicationid`);
      assert.strictEqual(me.data.azureactivedirectoryobjectid, SP.objectId);
      assert.strictEqual(me.data.applicationid, SP.appId);
    }
  });

  it('answers RetrieveCurrentOrganization in the parameter-alias and inline forms', async () => {
    const a = await get("RetrieveCurrentOrganization(AccessType=@p)?@p=Microsoft.Dynamics.CRM.EndpointAccessType'Default'");
    const b = await get("RetrieveCurrentOrganization(AccessType=Microsoft.Dynamics.CRM.EndpointAccessType'Default')");
    for (const r of [a, b]) {
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.data.Detail.OrganizationId, ORG_ID);
      assert.strictEqual(r.data.Detail.EnvironmentId, ENV_ID);
      assert.strictEqual(r.data.Detail.TenantId, TENANT);
      assert.strictEqual(r.data.Detail.State, 'Enabled');
      assert.match(r.data.Detail.OrganizationVersion, /^9\.2\./);
      assert.strictEqual(r.data.Detail.Endpoints.Values[0], `${sim.url}/`);
    }
  });

  it('exposes the per-environment connectionreference ObjectTypeCode used as its componenttype', async () => {
    const r = await get("EntityDefinitions(LogicalName='connectionreference')?$select=ObjectTypeCode");
    assert.strictEqual(r.status, 200);
    const code = r.data.ObjectTypeCode as number;
    assert.ok(code >= 10000);
    assert.strictEqual(code, sim.state.connectionReferenceObjectTypeCode);
    const comps = await get(`solutioncomponents?$filter=componenttype eq ${code}&$select=objectid`);
    assert.strictEqual(comps.data.value.length, 3);
    const wf = await get('solutioncomponents?$filter=componenttype eq 29&$count=true');
    assert.strictEqual(wf.data['@odata.count'], 32);
  });

  it('$select returns the selected columns, the primary key and a weak etag', async () => {
    const r = await get(`workflows(${FLOW_IDS.mail})?$select=name,statecode,_ownerid_value`);
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(Object.keys(r.data).sort(), ['@odata.context', '@odata.etag', '_ownerid_value', 'name', 'statecode', 'workflowid']);
    assert.match(r.data['@odata.etag'], /^W\/"\d+"$/);
    assert.strictEqual(r.data['@odata.context'], `${sim.url}${api}/$metadata#workflows(name,statecode,_ownerid_value)/$entity`);
    const bad = await get('workflows?$select=nosuchcolumn');
    assert.strictEqual(bad.status, 400);
    assert.strictEqual(bad.data.error.message, "Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.workflow'.");
  });

  it('workflows carry the cloud-flow columns', async () => {
    const r = await get(`workflows(${FLOW_IDS.dvOnly})`);
    assert.strictEqual(r.data.category, 5);
    assert.strictEqual(r.data.type, 1);
    assert.strictEqual(typeof r.data.clientdata, 'string');
    assert.ok(JSON.parse(r.data.clientdata).properties.connectionReferences);
    assert.strictEqual(r.data.statecode, 0);
    assert.strictEqual(r.data.statuscode, 1);
    assert.ok(r.data.workflowidunique && r.data.modifiedon && r.data._ownerid_value);
  });

  describe('$filter', () => {
    const names = async (filter: string, set = 'workflows', col = 'name') => {
      const r = await get(`${set}?$select=${col}&$filter=${encodeURIComponent(filter)}`, { Prefer: 'odata.maxpagesize=10' });
      assert.strictEqual(r.status, 200, JSON.stringify(r.data));
      return (r.data.value as Record<string, string>[]).map((x) => x[col]).sort();
    };

    it('compares strings case-insensitively with eq and ne', async () => {
      assert.deepStrictEqual(await names("name eq 'send MAIL'"), ['Send mail']);
      assert.strictEqual((await names("name ne 'Send mail' and category eq 5 and not startswith(name,'Bulk')")).length, 6);
    });

    it('handles and/or/not with parentheses and numbers', async () => {
      assert.deepStrictEqual(await names("(name eq 'Child' or name eq 'Parent') and statecode eq 0"), ['Child', 'Parent']);
      assert.deepStrictEqual(await names("not (statecode eq 0) or name eq 'Child'"), ['Child']);
      assert.deepStrictEqual(await names('type ge 1 and type le 1 and category gt 4 and category lt 6 and contains(name,\'rent\')'), ['Grand parent', 'Parent']);
    });

    it('supports contains, startswith and endswith', async () => {
      assert.deepStrictEqual(await names("contains(name,'PARENT')"), ['Grand parent', 'Parent']);
      assert.deepStrictEqual(await names("startswith(name,'Send')"), ['Send mail']);
      assert.deepStrictEqual(await names("endswith(name,'only')"), ['Dataverse only']);
    });

    it('unescapes doubled quotes and reports an unterminated literal like the Web API', async () => {
      assert.deepStrictEqual(await names("name eq 'O''Bryan'"), []);
      const r = await get(`systemusers?$filter=${encodeURIComponent("lastname eq 'O'Bryan'")}`);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.message, "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.");
    });

    it('compares GUIDs, lookups and null, and rejects a quoted GUID for an Edm.Guid column', async () => {
      assert.deepStrictEqual(await names(`workflowid eq ${FLOW_IDS.child.toUpperCase()}`), ['Child']);
      const owner = (await get(`workflows(${FLOW_IDS.child})?$select=_ownerid_value`)).data._ownerid_value as string;
      assert.ok((await names(`_ownerid_value eq ${owner}`)).includes('Child'));
      assert.strictEqual((await names("description eq null and statecode eq 0 and not startswith(name,'Bulk')")).length, 7);
      assert.deepStrictEqual(await names('connectionid eq null', 'connectionreferences', 'connectionreferencelogicalname'), ['contoso_office365']);
      const r = await get(`workflows?$filter=${encodeURIComponent(`workflowid eq '${FLOW_IDS.child}'`)}`);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.message, "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'.");
    });

    it('supports booleans and Microsoft.Dynamics.CRM.In', async () => {
      assert.deepStrictEqual(await names('isdisabled eq true', 'systemusers', 'domainname'), ['bob@contoso.com']);
      assert.deepStrictEqual(
        await names("Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['child','Parent','nope'])"),
        ['Child', 'Parent'],
      );
      assert.deepStrictEqual(
        await names(`Microsoft.Dynamics.CRM.In(PropertyName='azureactivedirectoryobjectid',PropertyValues=['${SVC.objectId}'])`, 'systemusers', 'domainname'),
        [SVC.upn],
      );
    });

    it('follows a single-valued navigation path and rejects unknown properties and functions', async () => {
      assert.ok((await names(`ownerid/domainname eq '${SVC.upn}'`)).includes('Child'));
      const r = await get(`workflows?$filter=${encodeURIComponent("nosuch eq 1")}`);
      assert.strictEqual(r.status, 400);
      assert.strictEqual(r.data.error.code, '0x80060888');
      const f = await get(`workflows?$filter=${encodeURIComponent("substringof('a',name)")}`);
      assert.strictEqual(f.status, 400);
    });
  });

  it('pages with Prefer odata.maxpagesize, @odata.nextLink and Preference-Applied, capped by maxPageSize', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${sim.url}${api}/workflows?$select=name&$filter=category eq 5`;
    let pages = 0;
    while (url) {
      const r: AxiosResponse = await http.get(url, { headers: { Authorization: `Bearer ${token}`, Prefer: 'odata.maxpagesize=7' } });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.headers['preference-applied'], 'odata.maxpagesize=7');
      pages++;
      seen.push(...(r.data.value as { name: string }[]).map((x) => x.name));
      url = r.data['@odata.nextLink'];
      if (url) {
        assert.ok(url.startsWith(`${sim.url}${api}/workflows?`));
        assert.match(decodeURIComponent(url), /\$skiptoken=<cookie pagenumber="\d+" pagingcookie=".+" istracking="False" \/>/);
      }
    }
    assert.strictEqual(pages, 5);
    assert.strictEqual(seen.length, 32);
    assert.strictEqual(new Set(seen).size, 32);

    const capped = await get('workflows?$select=name', { Prefer: 'odata.maxpagesize=5000' });
    assert.strictEqual(capped.data.value.length, 10, 'scenario maxPageSize caps the page');
    assert.strictEqual(capped.headers['preference-applied'], 'odata.maxpagesize=10');
    assert.ok(capped.data['@odata.nextLink']);

    const top = await get('workflows?$select=name&$top=3');
    assert.strictEqual(top.data.value.length, 3);
    assert.strictEqual(top.data['@odata.nextLink'], undefined);
    const topIgnored = await get('workflows?$select=name&$top=3', { Prefer: 'odata.maxpagesize=4' });
    assert.strictEqual(topIgnored.data.value.length, 4, '$top is ignored with maxpagesize');
    const skip = await get('workflows?$skip=3');
    assert.strictEqual(skip.status, 400);
  });

  it('expands single-valued lookups and the definition-to-values collection', async () => {
    const w = await get(`workflows(${FLOW_IDS.child})?$select=name&$expand=ownerid($select=fullname,domainname)`);
    assert.strictEqual(w.status, 200);
    assert.strictEqual(w.data.ownerid.domainname, SVC.upn);
    const d = await get(
      "environmentvariabledefinitions?$select=schemaname,type,defaultvalue&$expand=environmentvariabledefinition_environmentvariablevalue($select=value)&$filter=schemaname eq 'contoso_ApiUrl'",
    );
    assert.strictEqual(d.data.value.length, 1);
    assert.deepStrictEqual(
      d.data.value[0].environmentvariabledefinition_environmentvariablevalue.map((v: { value: string }) => v.value),
      ['https://prod.example.test'],
    );
    const v = await get('environmentvariablevalues?$select=value,_environmentvariabledefinitionid_value&$expand=EnvironmentVariableDefinitionId($select=schemaname)');
    assert.strictEqual(v.data.value[0].EnvironmentVariableDefinitionId.schemaname, 'contoso_ApiUrl');
  });

  it('adds lookup annotations only when Prefer odata.include-annotations asks for them', async () => {
    const plain = await get(`workflows(${FLOW_IDS.child})?$select=_ownerid_value`);
    assert.strictEqual(plain.data['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], undefined);
    const ann = await get(`workflows(${FLOW_IDS.child})?$select=_ownerid_value`, { Prefer: 'odata.include-annotations="*"' });
    assert.strictEqual(ann.data['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'systemuser');
    assert.strictEqual(ann.data['_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty'], 'ownerid');
    assert.strictEqual(ann.data['_ownerid_value@OData.Community.Display.V1.FormattedValue'], 'Deployment Service');
    assert.strictEqual(ann.headers['preference-applied'], 'odata.include-annotations="*"');
  });

  it('answers 404 with 0x80040217 for a missing record and for an unknown entity set', async () => {
    const id = '00000000-0000-4000-8000-00000000beef';
    const r = await get(`workflows(${id})`);
    assert.strictEqual(r.status, 404);
    assert.deepStrictEqual(r.data, { error: { code: '0x80040217', message: `Entity 'workflow' With Id = ${id} Does Not Exist` } });
    const s = await get('accounts');
    assert.strictEqual(s.status, 404);
    assert.strictEqual(s.data.error.message, "Resource not found for the segment 'accounts'.");
  });

  describe('FetchXML', () => {
    const joinXml = (solution: string, extra = '', fetchAttrs = '') =>
      `<fetch${fetchAttrs}><entity name="workflow"><attribute name="name"/><attribute name="workflowid"/><attribute name="description"/>${extra}` +
      '<filter type="and"><condition attribute="category" operator="eq" value="5"/></filter>' +
      '<link-entity name="solutioncomponent" from="objectid" to="workflowid" link-type="inner" alias="sc">' +
      '<link-entity name="solution" from="solutionid" to="solutionid" alias="s">' +
      `<filter><condition attribute="uniquename" operator="eq" value="${solution}"/></filter>` +
      '</link-entity></link-entity></entity></fetch>';

    it('joins workflow → solutioncomponent → solution and omits null properties', async () => {
      const r = await get(`workflows?fetchXml=${encodeURIComponent(joinXml('ContosoCore'))}`);
      assert.strictEqual(r.status, 200, JSON.stringify(r.data));
      const rows = r.data.value as Record<string, unknown>[];
      assert.deepStrictEqual(rows.map((x) => x.name).sort(), ['Child', 'Dataverse only', 'Grand parent', 'Missing reference', 'Parent', 'Send mail', 'SharePoint']);
      assert.ok(rows.every((x) => !('description' in x)), 'null properties are left out');
      assert.ok(rows.every((x) => typeof x['@odata.etag'] === 'string'));
    });

    it('joins connection references and environment variable definitions through the solution', async () => {
      const code = sim.state.connectionReferenceObjectTypeCode;
      const cr =
        '<fetch><entity name="connectionreference"><attribute name="connectionreferencelogicalname"/><attribute name="connectionid"/>' +
        `<link-entity name="solutioncomponent" from="objectid" to="connectionreferenceid"><filter><condition attribute="componenttype" operator="eq" value="${code}"/></filter>` +
        '<link-entity name="solution" from="solutionid" to="solutionid"><filter><condition attribute="uniquename" operator="eq" value="contosocore"/></filter></link-entity></link-entity></entity></fetch>';
      const r = await get(`connectionreferences?fetchXml=${encodeURIComponent(cr)}`);
      assert.strictEqual(r.status, 200, JSON.stringify(r.data));
      assert.strictEqual(r.data.value.length, 3);
      const unbound = (r.data.value as Record<string, unknown>[]).find((x) => x.connectionreferencelogicalname === 'contoso_office365');
      assert.ok(unbound && !('connectionid' in unbound));
      const ev =
        '<fetch><entity name="environmentvariabledefinition"><all-attributes/>' +
        '<link-entity name="environmentvariablevalue" from="environmentvariabledefinitionid" to="environmentvariabledefinitionid" link-type="outer" alias="v"><attribute name="value"/></link-entity>' +
        '<link-entity name="solutioncomponent" from="objectid" to="environmentvariabledefinitionid"><link-entity name="solution" from="solutionid" to="solutionid">' +
        '<filter><condition attribute="uniquename" operator="in"><value>ContosoCore</value><value>Other</value></condition></filter></link-entity></link-entity></entity></fetch>';
      const e = await get(`environmentvariabledefinitions?fetchXml=${encodeURIComponent(ev)}`);
      assert.strictEqual(e.status, 200, JSON.stringify(e.data));
      const rows = e.data.value as Record<string, unknown>[];
      assert.strictEqual(rows.length, 3);
      assert.strictEqual(rows.find((x) => x.schemaname === 'contoso_ApiUrl')?.['v.value'], 'https://prod.example.test');
      assert.ok(!('v.value' in (rows.find((x) => x.schemaname === 'contoso_Retries') ?? {})));
    });

    it('supports like, or-filters and ne conditions', async () => {
      const xml =
        '<fetch><entity name="workflow"><attribute name="name"/><filter type="or">' +
        '<condition attribute="name" operator="like" value="%parent"/><condition attribute="name" operator="eq" value="Child"/></filter>' +
        '<filter><condition attribute="statecode" operator="ne" value="1"/></filter></entity></fetch>';
      const r = await get(`workflows?fetchXml=${encodeURIComponent(xml)}`);
      assert.deepStrictEqual((r.data.value as { name: string }[]).map((x) => x.name).sort(), ['Child', 'Grand parent', 'Parent']);
    });

    it('pages with page/count and returns the paging cookie and morerecords only when annotations are asked for', async () => {
      const xml = (page: number) => joinXml('ContosoBulk', '', ` count="10" page="${page}"`);
      const plain = await get(`workflows?fetchXml=${encodeURIComponent(xml(1))}`);
      assert.strictEqual(plain.data.value.length, 10);
      assert.strictEqual(plain.data['@Microsoft.Dynamics.CRM.morerecords'], undefined);
      const prefer = { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"' };
      const names: string[] = [];
      for (let page = 1; ; page++) {
        const r = await get(`workflows?fetchXml=${encodeURIComponent(xml(page))}`, prefer);
        names.push(...(r.data.value as { name: string }[]).map((x) => x.name));
        if (!r.data['@Microsoft.Dynamics.CRM.morerecords']) {
          assert.strictEqual(r.data['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'], undefined);
          break;
        }
        assert.strictEqual(r.data['@Microsoft.Dynamics.CRM.morerecords'], true);
        assert.match(r.data['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'], new RegExp(`^<cookie pagenumber="${page + 1}" pagingcookie="%253ccookie`));
      }
      assert.strictEqual(names.length, 25);
      assert.strictEqual(new Set(names).size, 25);
    });

    it('reports unknown entities and attributes', async () => {
      const a = await get(`workflows?fetchXml=${encodeURIComponent('<fetch><entity name="workflow"><attribute name="nosuch"/></entity></fetch>')}`);
      assert.strictEqual(a.status, 400);
      assert.strictEqual(a.data.error.message, "'workflow' entity doesn't contain attribute with Name = 'nosuch' and NameMapping = 'Logical'.");
      const e = await get(`workflows?fetchXml=${encodeURIComponent('<fetch><entity name="workflow"><link-entity name="nosuch" from="a" to="workflowid"/></entity></fetch>')}`);
      assert.strictEqual(e.status, 400);
    });
  });
});
