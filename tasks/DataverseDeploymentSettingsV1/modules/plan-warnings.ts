import { normalise } from '../../common/variables';
import { ConventionPrefix, Finding, Localizer, PlannedReference, PlannedVariable, VariableSource } from './plan-types';

/** A warning for every convention variable that names no entry, with the likely intended name. */
export function unknownVariableWarnings(source: VariableSource, references: PlannedReference[], variables: PlannedVariable[], text: Localizer): Finding[] {
  const known: Record<ConventionPrefix, string[]> = {
    ConnectionReference: references.map((r) => r.logicalName),
    Connector: [...new Set(references.map((r) => r.connector).filter(Boolean))],
    EnvironmentVariable: variables.map((v) => v.schemaName),
  };
  const what: Record<ConventionPrefix, string> = {
    ConnectionReference: text('KindConnectionReference'),
    Connector: text('KindConnector'),
    EnvironmentVariable: text('KindEnvironmentVariable'),
  };
  const warnings: Finding[] = [];
  for (const variable of source.list()) {
    const names = known[variable.prefix];
    const wanted = normalise(variable.key);
    if (names.some((n) => normalise(n) === wanted)) continue;
    const suggestion = closest(wanted, names);
    warnings.push({
      code: 'UnknownVariable',
      message: text('WarningUnknownVariable', variable.name, what[variable.prefix], suggestion ? text('DidYouMean', `${variable.prefix}.${suggestion}`) : ''),
    });
  }
  for (const owner of source.ownerVariables?.() ?? []) {
    const wanted = normalise(owner.logicalName);
    if (known.ConnectionReference.some((n) => normalise(n) === wanted)) continue;
    const suggestion = closest(wanted, known.ConnectionReference);
    warnings.push({
      code: 'UnknownVariable',
      message: text('WarningUnknownVariable', owner.variable, what.ConnectionReference, suggestion ? text('DidYouMean', `connectionreference.user.${suggestion}`) : ''),
    });
  }
  return warnings;
}

/** The known name within a small edit distance of a variable's key (a likely typo), if any. */
function closest(wanted: string, names: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, normalise(name));
    const allowed = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.MAX_SAFE_INTEGER;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
