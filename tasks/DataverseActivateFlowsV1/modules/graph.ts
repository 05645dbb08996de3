/**
 * The child-flow graph of a run, used by both the plan and the scheduler: a node depends on the
 * nodes (child flows) that must be on before it is sent. Edges to ids outside the node set count
 * as satisfied.
 */
export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

/** For each node, the nodes that depend on it (its callers). */
export function callersOf(nodes: readonly GraphNode[]): Map<string, string[]> {
  const ids = new Set(nodes.map((n) => n.id));
  const callers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const dep of new Set(node.dependsOn)) {
      if (!ids.has(dep) || dep === node.id) continue;
      callers.set(dep, [...(callers.get(dep) ?? []), node.id]);
    }
  }
  return callers;
}

/**
 * Blocks every caller of a node that failed, up the chain: a caller already blocked gains one
 * more blocker; a caller already settled otherwise (`settled`) stays as it is. Returns the nodes
 * newly blocked, in the order they were reached. This is the one place "blocked by a failed
 * child" is worked out.
 */
export function blockCallers(
  failedId: string,
  callers: ReadonlyMap<string, readonly string[]>,
  blocked: Map<string, string[]>,
  settled: (id: string) => boolean,
): string[] {
  const reached: string[] = [];
  const queue: Array<[string, string]> = (callers.get(failedId) ?? []).map((id) => [id, failedId]);
  while (queue.length > 0) {
    const [id, by] = queue.shift() as [string, string];
    const existing = blocked.get(id);
    if (existing) {
      if (!existing.includes(by)) existing.push(by);
      continue;
    }
    if (settled(id)) continue;
    blocked.set(id, [by]);
    reached.push(id);
    for (const next of callers.get(id) ?? []) queue.push([next, id]);
  }
  return reached;
}

/** Strongly connected components with more than one node, or a node that depends on itself (Tarjan). */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  const connect = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const next of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(id, Math.min(low.get(id) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) as number, index.get(next) as number));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfCall = component.length === 1 && (byId.get(id)?.dependsOn ?? []).includes(id);
      if (component.length > 1 || selfCall) cycles.push(component.reverse());
    }
  };
  for (const node of nodes) if (!index.has(node.id)) connect(node.id);
  return cycles;
}

/** 0 for a node that depends on no node of the set; else one more than its deepest dependency. Needs an acyclic graph. */
export function levelsOf(nodes: readonly GraphNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const levels = new Map<string, number>();
  const level = (node: GraphNode): number => {
    const known = levels.get(node.id);
    if (known !== undefined) return known;
    levels.set(node.id, 0);
    const deps = node.dependsOn.map((id) => byId.get(id)).filter((n): n is GraphNode => n !== undefined && n.id !== node.id);
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(level));
    levels.set(node.id, value);
    return value;
  };
  for (const node of nodes) level(node);
  return levels;
}
