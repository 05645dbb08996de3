/** Builds cloud flow clientdata the way the maker portal stores it, for scenarios and fixtures. */
export interface FlowConnectionUse {
  /** Key in properties.connectionReferences, e.g. shared_office365_1. */
  key?: string;
  logicalName: string;
  /** API name, e.g. shared_office365. */
  api: string;
  /** `invoker`: the run-only user's connection ("provided by run-only user"). */
  runtimeSource?: 'embedded' | 'invoker';
}

export function flowClientData(uses: FlowConnectionUse[], childFlowIds: string[] = []): object {
  const connectionReferences: Record<string, unknown> = {};
  uses.forEach((use, index) => {
    connectionReferences[use.key ?? `${use.api}${index ? `_${index}` : ''}`] = {
      runtimeSource: use.runtimeSource ?? 'embedded',
      connection: { connectionReferenceLogicalName: use.logicalName },
      api: { name: use.api },
    };
  });
  const actions: Record<string, unknown> = {};
  childFlowIds.forEach((id, index) => {
    // Child calls are nested in a scope and a condition, as makers tend to build them.
    actions[`Scope_${index}`] = {
      type: 'Scope',
      actions: {
        [`Condition_${index}`]: {
          type: 'If',
          expression: { equals: [1, 1] },
          actions: {},
          else: { actions: { [`Run_a_Child_Flow_${index}`]: { type: 'Workflow', inputs: { host: { workflowReferenceName: id.toLowerCase() }, body: {} } } } },
        },
      },
    };
  });
  uses.forEach((use, index) => {
    actions[`Action_${index}`] = {
      type: 'OpenApiConnection',
      inputs: { host: { connectionName: Object.keys(connectionReferences)[index], operationId: 'Operation', apiId: `/providers/Microsoft.PowerApps/apis/${use.api}` } },
    };
  });
  return {
    properties: {
      connectionReferences,
      definition: {
        $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
        contentVersion: '1.0.0.0',
        parameters: { $connections: { defaultValue: {}, type: 'Object' }, $authentication: { defaultValue: {}, type: 'SecureObject' } },
        triggers: { manual: { type: 'Request', kind: 'Button', inputs: { schema: { type: 'object', properties: {} } } } },
        actions,
      },
    },
    schemaVersion: '1.0.0.0',
  };
}
