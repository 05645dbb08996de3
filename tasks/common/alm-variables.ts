import { normalise } from './variables';

/**
 * The ALM Accelerator's variable-group names, read as they are: `connectionreference.user.*`
 * here, the flow variables in `alm-flow-variables.ts`. Names are case-insensitive, and the agent
 * may present `.` (and spaces) as `_`, so every comparison goes through `normalise`.
 */

export interface PipelineVariable {
  name: string;
  value: string;
  secret: boolean;
}

/** The rest of `name` after `prefix` (`a.b.` form) and its separator, or undefined when it does not start with it. */
export function suffixAfter(name: string, prefix: string): string | undefined {
  const wanted = normalise(prefix);
  if (name.length <= wanted.length || normalise(name.slice(0, wanted.length)) !== wanted) return undefined;
  return name.slice(wanted.length);
}

export const REFERENCE_OWNER_PREFIX = 'connectionreference.user.';

export interface ReferenceOwnerVariable {
  /** The logical name as the variable spells it. */
  logicalName: string;
  /** UPN or Entra object id, trimmed. */
  owner: string;
  variable: string;
}

/**
 * `connectionreference.user.<logicalname>` = the owner (UPN or object id) of the connection for that
 * one reference, keyed by `normalise(logicalName)`; empty values are ignored. Logical names hold no
 * `.`, so the `_` form of a name finds the same reference.
 */
export function referenceOwnerVariables(variables: readonly PipelineVariable[]): Map<string, ReferenceOwnerVariable> {
  const owners = new Map<string, ReferenceOwnerVariable>();
  for (const variable of variables) {
    const logicalName = suffixAfter(variable.name, REFERENCE_OWNER_PREFIX);
    const owner = variable.value.trim();
    if (!logicalName || !owner) continue;
    const key = normalise(logicalName);
    if (!owners.has(key)) owners.set(key, { logicalName, owner, variable: variable.name });
  }
  return owners;
}

/** The owner variable for a connection reference, whatever the case or separators of its name. */
export function referenceOwner(owners: ReadonlyMap<string, ReferenceOwnerVariable>, logicalName: string): ReferenceOwnerVariable | undefined {
  return owners.get(normalise(logicalName));
}
