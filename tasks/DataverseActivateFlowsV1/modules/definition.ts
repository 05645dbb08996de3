/** What the task needs to know from a cloud flow's definition (its `clientdata`). */
export interface FlowDefinitionFacts {
  /** Logical names (lower case) of the connection references the flow uses, run-only ones included. */
  connectionReferences: string[];
  /**
   * Those of them whose runtime source is `invoker` (the run-only user's connection). Whether the
   * platform checks them when a flow is turned on is not documented, so they count when choosing
   * who turns the flow on (their owner works under both readings), but an unbound one fails nothing.
   */
  invokerReferences?: string[];
  /** Connector names (lower case) per reference logical name, as the definition states them. */
  connectors: Record<string, string>;
  /** Workflow ids (lower case, no braces) of the child flows it calls. */
  childFlowIds: string[];
  /** Set when the definition is not readable JSON. */
  error?: string;
}

interface ClientData {
  properties?: {
    connectionReferences?: Record<string, ConnectionReferenceEntry | null | undefined>;
    definition?: { actions?: unknown };
  };
}

interface ConnectionReferenceEntry {
  runtimeSource?: string;
  connection?: { connectionReferenceLogicalName?: string; name?: string } | null;
  api?: { name?: string };
}

/** A workflow id as the platform compares it: lower case, without braces. */
export function normaliseFlowId(id: string): string {
  return id.trim().replace(/^\{(.*)\}$/, '$1').toLowerCase();
}

/** Reads the connection references and the "Run a Child Flow" calls of a flow definition. */
export function readFlowDefinition(clientdata: string | undefined): FlowDefinitionFacts {
  const facts: FlowDefinitionFacts = { connectionReferences: [], invokerReferences: [], connectors: {}, childFlowIds: [] };
  if (clientdata === undefined || clientdata.trim() === '') return facts;
  let data: ClientData;
  try {
    data = JSON.parse(clientdata.replace(/^\uFEFF/, '')) as ClientData;
  } catch (error) {
    return { ...facts, error: error instanceof Error ? error.message : String(error) };
  }
  if (!data || typeof data !== 'object') return { ...facts, error: 'the definition is not a JSON object' };

  const references = new Set<string>();
  const embedded = new Set<string>();
  const invoker = new Set<string>();
  for (const entry of Object.values(data.properties?.connectionReferences ?? {})) {
    if (!entry || typeof entry !== 'object') continue;
    const logicalName = entry.connection?.connectionReferenceLogicalName;
    if (typeof logicalName !== 'string' || logicalName.trim() === '') continue;
    const key = logicalName.trim().toLowerCase();
    references.add(key);
    if ((entry.runtimeSource ?? '').toLowerCase() === 'invoker') invoker.add(key);
    else embedded.add(key);
    if (typeof entry.api?.name === 'string' && !facts.connectors[key]) facts.connectors[key] = entry.api.name.toLowerCase();
  }
  facts.connectionReferences = [...references];
  // A reference used both ways is checked as an embedded one.
  facts.invokerReferences = [...invoker].filter((name) => !embedded.has(name));

  const children = new Set<string>();
  visitActions(data.properties?.definition?.actions, children);
  facts.childFlowIds = [...children];
  return facts;
}

interface ActionNode {
  type?: unknown;
  inputs?: { host?: { workflowReferenceName?: unknown } };
  actions?: unknown;
  else?: { actions?: unknown };
  cases?: Record<string, { actions?: unknown } | undefined>;
  default?: { actions?: unknown };
}

/** Walks an `actions` map, descending into scopes, conditions (both branches), switches and loops. */
function visitActions(actions: unknown, children: Set<string>): void {
  if (!actions || typeof actions !== 'object') return;
  for (const value of Object.values(actions as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const action = value as ActionNode;
    const reference = action.inputs?.host?.workflowReferenceName;
    if (typeof action.type === 'string' && action.type.toLowerCase() === 'workflow' && typeof reference === 'string' && reference.trim()) {
      children.add(normaliseFlowId(reference));
    }
    visitActions(action.actions, children);
    visitActions(action.else?.actions, children);
    if (action.cases && typeof action.cases === 'object') {
      for (const branch of Object.values(action.cases)) visitActions(branch?.actions, children);
    }
    visitActions(action.default?.actions, children);
  }
}
