import { Actor } from '../../common/acting-identity';
import { AlmFlowProblem, readAlmFlowVariables } from '../../common/alm-flow-variables';
import { PipelineVariable } from '../../common/alm-variables';
import { UserError } from '../../common/errors';
import { FlowAction, FlowFacts, Localize, UserFacts } from './facts';
import { IdentityChoice, IdentityContext, chooseIdentity } from './plan-identity';

/**
 * Per-flow settings that override the task's inputs for one flow: the ALM Accelerator's
 * `activateflow.activate.*` (false = keep off), `activateflow.activateas.*` (turn on as this user)
 * and `owner.ownerEmail.*` (this flow's owner, as FlowOwner for it alone).
 */
export interface FlowOverrides {
  keptOff: Set<string>;
  /** Flow id → UPN or object id, as the variable gives it, and the variable's name. */
  activateAs: Map<string, { user: string; variable: string }>;
  owners: Map<string, { user: string; variable: string }>;
  /** The ignored `activateflow.order.*` variables. */
  orderVariables: string[];
  /** Variables that name no flow of the solution(s), said as warnings. */
  warnings: string[];
}

export function readFlowOverrides(variables: readonly PipelineVariable[], flows: readonly FlowFacts[], solutions: string, loc: Localize): FlowOverrides {
  const read = readAlmFlowVariables(
    variables,
    flows.map((f) => ({ workflowId: f.id, name: f.name })),
  );
  const invalid = read.problems.filter((p): p is Extract<AlmFlowProblem, { kind: 'invalidBoolean' }> => p.kind === 'invalidBoolean');
  if (invalid.length > 0) throw new UserError(invalid.map((p) => loc('InputInvalid', p.variable, loc('OptionInvalid', p.value, 'true, false'))).join(' '));
  const overrides: FlowOverrides = { keptOff: new Set(), activateAs: new Map(), owners: new Map(), orderVariables: read.orderVariables, warnings: [] };
  for (const problem of read.problems) {
    if (problem.kind === 'unknownWorkflowId') overrides.warnings.push(loc('FlowVariableUnknownId', problem.variable, problem.workflowId, solutions));
    else if (problem.kind === 'unknownFlowName') overrides.warnings.push(loc('FlowVariableUnknownName', problem.variable, problem.flowName, solutions));
    else if (problem.kind === 'ambiguousFlowName') overrides.warnings.push(loc('FlowVariableAmbiguousName', problem.variable, problem.flowName, problem.workflowIds.join(', ')));
  }
  for (const settings of read.flows.values()) {
    const id = settings.workflowId;
    if (settings.activate === false) overrides.keptOff.add(id);
    if (settings.activateAs) overrides.activateAs.set(id, { user: settings.activateAs, variable: settings.sources.activateAs ?? '' });
    if (settings.ownerEmail) overrides.owners.set(id, { user: settings.ownerEmail, variable: settings.sources.ownerEmail ?? '' });
  }
  return overrides;
}

/**
 * `activateflow.activateas.*`: the flow is turned on as that user whatever Impersonation says. The
 * flow's definition is still checked (`asServicePrincipal` is the choice without impersonation);
 * the identity chosen by the inputs is replaced.
 */
export function applyActivateAs(
  choice: IdentityChoice,
  action: FlowAction,
  user: UserFacts | undefined,
  asServicePrincipal: () => IdentityChoice,
): IdentityChoice {
  if (action !== 'turnOn' || !user) return choice;
  const base = asServicePrincipal();
  if ('error' in base) return base;
  const actor: Actor = { kind: 'user', objectId: user.objectId.toLowerCase(), reason: 'activateAs' };
  return { actor, bound: base.bound, reason: 'activateAs' };
}

/** Who changes the flow: the identity the inputs give, unless `activateflow.activateas.*` names a user for it. */
export function identityOf(flow: FlowFacts, action: FlowAction, context: IdentityContext, activateAs: ReadonlyMap<string, UserFacts> | undefined, loc: Localize): IdentityChoice {
  return applyActivateAs(chooseIdentity(flow, action, context, loc), action, activateAs?.get(flow.id), () =>
    chooseIdentity(flow, action, { ...context, impersonation: 'None' }, loc),
  );
}
