/** Edm types of the columns the simulator serves, enough to reproduce type errors in $filter. */
export type ColumnType = 'guid' | 'string' | 'int' | 'bool' | 'datetime';

export interface LookupDef {
  /** single-valued navigation property name, e.g. ownerid */
  nav: string;
  /** column holding the id, e.g. _ownerid_value */
  column: string;
  target: string;
  /** whether `<nav>@odata.bind` may be written */
  writable: boolean;
}

export interface CollectionDef {
  nav: string;
  target: string;
  /** lookup column on the target pointing back */
  column: string;
}

export interface EntityDef {
  logicalName: string;
  setName: string;
  primaryId: string;
  primaryName: string;
  columns: Record<string, ColumnType>;
  lookups: LookupDef[];
  collections: CollectionDef[];
  /** alternate keys accepted in `set(key='value')` */
  alternateKeys: string[];
  writable: boolean;
  objectTypeCode: number;
}

const audit: Record<string, ColumnType> = {
  createdon: 'datetime',
  modifiedon: 'datetime',
  versionnumber: 'int',
  _createdby_value: 'guid',
  _modifiedby_value: 'guid',
  _modifiedonbehalfby_value: 'guid',
};

const auditLookups: LookupDef[] = [
  { nav: 'createdby', column: '_createdby_value', target: 'systemuser', writable: false },
  { nav: 'modifiedby', column: '_modifiedby_value', target: 'systemuser', writable: false },
  { nav: 'modifiedonbehalfby', column: '_modifiedonbehalfby_value', target: 'systemuser', writable: false },
];

const owner: LookupDef = { nav: 'ownerid', column: '_ownerid_value', target: 'systemuser', writable: true };

export const ENTITIES: Record<string, EntityDef> = {
  solution: {
    logicalName: 'solution',
    setName: 'solutions',
    primaryId: 'solutionid',
    primaryName: 'friendlyname',
    columns: {
      solutionid: 'guid', uniquename: 'string', friendlyname: 'string', version: 'string', ismanaged: 'bool',
      isvisible: 'bool', description: 'string', installedon: 'datetime', _publisherid_value: 'guid', ...audit,
    },
    lookups: [...auditLookups],
    collections: [],
    alternateKeys: ['uniquename'],
    writable: true,
    objectTypeCode: 7100,
  },
  solutioncomponent: {
    logicalName: 'solutioncomponent',
    setName: 'solutioncomponents',
    primaryId: 'solutioncomponentid',
    primaryName: 'solutioncomponentid',
    columns: {
      solutioncomponentid: 'guid', componenttype: 'int', objectid: 'guid', _solutionid_value: 'guid',
      rootcomponentbehavior: 'int', rootsolutioncomponentid: 'guid', ismetadata: 'bool', ...audit,
    },
    lookups: [{ nav: 'solutionid', column: '_solutionid_value', target: 'solution', writable: false }, ...auditLookups],
    collections: [],
    alternateKeys: [],
    writable: false,
    objectTypeCode: 7103,
  },
  connectionreference: {
    logicalName: 'connectionreference',
    setName: 'connectionreferences',
    primaryId: 'connectionreferenceid',
    primaryName: 'connectionreferencedisplayname',
    columns: {
      connectionreferenceid: 'guid', connectionreferencelogicalname: 'string', connectionreferencedisplayname: 'string',
      connectorid: 'string', connectionid: 'string', description: 'string', _customconnectorid_value: 'guid',
      ismanaged: 'bool', _ownerid_value: 'guid', promptingbehavior: 'int', statecode: 'int', statuscode: 'int',
      componentstate: 'int', solutionid: 'guid', ...audit,
    },
    lookups: [owner, ...auditLookups],
    collections: [],
    alternateKeys: ['connectionreferencelogicalname'],
    writable: true,
    objectTypeCode: 0, // per environment, see Store
  },
  workflow: {
    logicalName: 'workflow',
    setName: 'workflows',
    primaryId: 'workflowid',
    primaryName: 'name',
    columns: {
      workflowid: 'guid', workflowidunique: 'guid', name: 'string', category: 'int', type: 'int', primaryentity: 'string',
      clientdata: 'string', connectionreferences: 'string', statecode: 'int', statuscode: 'int', _ownerid_value: 'guid',
      ismanaged: 'bool', modernflowtype: 'int', runas: 'int', description: 'string', uniquename: 'string',
      componentstate: 'int', solutionid: 'guid', ...audit,
    },
    lookups: [owner, ...auditLookups],
    collections: [],
    alternateKeys: [],
    writable: true,
    objectTypeCode: 4703,
  },
  environmentvariabledefinition: {
    logicalName: 'environmentvariabledefinition',
    setName: 'environmentvariabledefinitions',
    primaryId: 'environmentvariabledefinitionid',
    primaryName: 'schemaname',
    columns: {
      environmentvariabledefinitionid: 'guid', schemaname: 'string', displayname: 'string', defaultvalue: 'string',
      type: 'int', valueschema: 'string', isrequired: 'bool', secretstore: 'int', description: 'string', ismanaged: 'bool',
      apiid: 'string', parameterkey: 'string', statecode: 'int', statuscode: 'int', _ownerid_value: 'guid', ...audit,
    },
    lookups: [owner, ...auditLookups],
    collections: [{
      nav: 'environmentvariabledefinition_environmentvariablevalue',
      target: 'environmentvariablevalue',
      column: '_environmentvariabledefinitionid_value',
    }],
    alternateKeys: ['schemaname'],
    writable: true,
    objectTypeCode: 380,
  },
  environmentvariablevalue: {
    logicalName: 'environmentvariablevalue',
    setName: 'environmentvariablevalues',
    primaryId: 'environmentvariablevalueid',
    primaryName: 'schemaname',
    columns: {
      environmentvariablevalueid: 'guid', schemaname: 'string', value: 'string', _environmentvariabledefinitionid_value: 'guid',
      ismanaged: 'bool', statecode: 'int', statuscode: 'int', _ownerid_value: 'guid', ...audit,
    },
    lookups: [
      // dataverse-facts §1.7 / §4.4: the navigation property is capitalised
      { nav: 'EnvironmentVariableDefinitionId', column: '_environmentvariabledefinitionid_value', target: 'environmentvariabledefinition', writable: true },
      owner,
      ...auditLookups,
    ],
    collections: [],
    alternateKeys: [],
    writable: true,
    objectTypeCode: 381,
  },
  systemuser: {
    logicalName: 'systemuser',
    setName: 'systemusers',
    primaryId: 'systemuserid',
    primaryName: 'fullname',
    columns: {
      systemuserid: 'guid', azureactivedirectoryobjectid: 'guid', domainname: 'string', fullname: 'string',
      internalemailaddress: 'string', isdisabled: 'bool', applicationid: 'guid', accessmode: 'int',
      _businessunitid_value: 'guid', ...audit,
    },
    lookups: [...auditLookups],
    collections: [],
    alternateKeys: [],
    writable: false,
    objectTypeCode: 8,
  },
  deploymentstagerun: {
    logicalName: 'deploymentstagerun',
    setName: 'deploymentstageruns',
    primaryId: 'deploymentstagerunid',
    primaryName: 'name',
    columns: {
      deploymentstagerunid: 'guid', name: 'string', deploymentsettingsjson: 'string', stagerunstatus: 'int',
      artifactname: 'string', _deploymentstageid_value: 'guid', operation: 'int',
      approvalstatus: 'int', approvalcomments: 'string', approvalproperties: 'string',
      _targetdeploymentenvironment_value: 'guid', ...audit,
    },
    lookups: [{ nav: 'targetdeploymentenvironment', column: '_targetdeploymentenvironment_value', target: 'deploymentenvironment', writable: false }, ...auditLookups],
    collections: [],
    alternateKeys: [],
    writable: true,
    objectTypeCode: 10001,
  },
  /** Pipelines host: an environment a pipeline deploys to; `environmentid` is its BAP id (dataverse-facts §7, Corrections "Pipelines"). */
  deploymentenvironment: {
    logicalName: 'deploymentenvironment',
    setName: 'deploymentenvironments',
    primaryId: 'deploymentenvironmentid',
    primaryName: 'name',
    columns: { deploymentenvironmentid: 'guid', name: 'string', environmentid: 'string', environmenttype: 'int', ...audit },
    lookups: [...auditLookups],
    collections: [],
    alternateKeys: [],
    writable: false,
    objectTypeCode: 10002,
  },
};

export const ENTITY_BY_SET: Record<string, EntityDef> = Object.fromEntries(
  Object.values(ENTITIES).map((e) => [e.setName, e]),
);

export const EDM: Record<ColumnType, string> = {
  guid: 'Edm.Guid',
  string: 'Edm.String',
  int: 'Edm.Int32',
  bool: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
};

export const COMPONENT_TYPE_WORKFLOW = 29;
export const COMPONENT_TYPE_ENV_VAR_DEFINITION = 380;

/** stagerunstatus option values: community-sourced, dataverse-facts §7 */
export const STAGE_RUN_STATUS = {
  succeeded: 200000002,
  failed: 200000003,
  canceled: 200000004,
  pendingApproval: 200000005,
  deploying: 200000010,
};
