import { badQuery } from './errors';
import { ColumnType, ENTITIES, EntityDef } from './metadata';
import { FilterExpr, PropertyResolver, evaluateFilter, parseFilter } from './odata-filter';
import { Row, SimulatorState } from './store';

export interface Prefer {
  maxPageSize?: number;
  includeAnnotations?: string;
  returnRepresentation: boolean;
  continueOnError: boolean;
}

export function parsePrefer(header: string | undefined): Prefer {
  const p: Prefer = { returnRepresentation: false, continueOnError: false };
  if (!header) return p;
  const re = /([\w.-]+)\s*(?:=\s*("[^"]*"|[^,]*))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header)) !== null) {
    const key = m[1].toLowerCase();
    const value = (m[2] ?? '').trim().replace(/^"|"$/g, '');
    if (key === 'odata.maxpagesize') {
      const n = Number(value);
      if (Number.isInteger(n) && n > 0) p.maxPageSize = n;
    } else if (key === 'odata.include-annotations') {
      p.includeAnnotations = value;
    } else if (key === 'return' && value === 'representation') {
      p.returnRepresentation = true;
    } else if (key === 'odata.continue-on-error') {
      p.continueOnError = true;
    }
  }
  return p;
}

/** Whether `Prefer: odata.include-annotations` asks for an annotation (names, `*` and `Namespace.*`). */
export function wantsAnnotation(prefer: Prefer, name: string): boolean {
  if (!prefer.includeAnnotations) return false;
  return prefer.includeAnnotations.split(',').some((raw) => {
    const pat = raw.trim();
    if (pat === '*') return true;
    if (pat.endsWith('.*')) return name.startsWith(pat.slice(0, -1));
    return pat === name;
  });
}

export function unknownProperty(entity: EntityDef, name: string): Error {
  return badQuery(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`);
}

export function resolverFor(state: SimulatorState, entity: EntityDef): PropertyResolver {
  const walk = (path: string): { entity: EntityDef; column: string; via?: { column: string; target: EntityDef } } => {
    const parts = path.split('/');
    if (parts.length === 1) {
      if (!(path in entity.columns)) throw unknownProperty(entity, path);
      return { entity, column: path };
    }
    if (parts.length !== 2) throw badQuery(`The navigation path '${path}' is not supported by the simulator.`);
    const lookup = entity.lookups.find((l) => l.nav === parts[0]);
    if (!lookup) throw unknownProperty(entity, parts[0]);
    const target = ENTITIES[lookup.target];
    if (!(parts[1] in target.columns)) throw unknownProperty(target, parts[1]);
    return { entity: target, column: parts[1], via: { column: lookup.column, target } };
  };
  return {
    typeOf(path: string): ColumnType {
      const w = walk(path);
      return w.entity.columns[w.column];
    },
    valueOf(row: Record<string, unknown>, path: string): unknown {
      const w = walk(path);
      if (!w.via) return row[w.column] ?? null;
      const id = row[w.via.column];
      if (typeof id !== 'string') return null;
      return state.table(w.via.target.logicalName).get(id)?.[w.column] ?? null;
    },
  };
}

/** Parses `$filter` and type-checks it once against an empty row so that errors do not depend on data. */
export function compileFilter(state: SimulatorState, entity: EntityDef, src: string): (row: Row) => boolean {
  const expr: FilterExpr = parseFilter(src);
  const res = resolverFor(state, entity);
  const empty: Row = {};
  for (const c of Object.keys(entity.columns)) empty[c] = null;
  evaluateFilter(expr, empty, res);
  return (row) => evaluateFilter(expr, row, res);
}

export interface ExpandItem {
  nav: string;
  select?: string[];
  filter?: string;
  orderby?: string;
  top?: number;
  expand?: ExpandItem[];
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    if (!quote) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === sep && depth === 0) {
        out.push(cur);
        cur = '';
        continue;
      }
    }
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim());
}

export function parseExpand(src: string): ExpandItem[] {
  return splitTopLevel(src, ',').map((item) => {
    const open = item.indexOf('(');
    if (open < 0) return { nav: item };
    if (!item.endsWith(')')) throw badQuery(`Syntax error in $expand '${src}'.`);
    const out: ExpandItem = { nav: item.slice(0, open).trim() };
    for (const opt of splitTopLevel(item.slice(open + 1, -1), ';')) {
      const eq = opt.indexOf('=');
      const key = opt.slice(0, eq).trim().toLowerCase();
      const value = opt.slice(eq + 1).trim();
      if (key === '$select') out.select = value.split(',').map((x) => x.trim());
      else if (key === '$filter') out.filter = value;
      else if (key === '$orderby') out.orderby = value;
      else if (key === '$top') out.top = Number(value);
      else if (key === '$expand') out.expand = parseExpand(value);
      else throw badQuery(`The query option '${key}' is not supported in $expand.`);
    }
    return out;
  });
}

export function sortRows(entity: EntityDef, rows: Row[], orderby: string | undefined): Row[] {
  if (!orderby) return rows;
  const keys = orderby.split(',').map((k) => {
    const [col, dir] = k.trim().split(/\s+/);
    if (!(col in entity.columns)) throw unknownProperty(entity, col);
    return { col, desc: (dir ?? '').toLowerCase() === 'desc' };
  });
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const x = a[k.col] as string | number | null;
      const y = b[k.col] as string | number | null;
      if (x === y) continue;
      if (x === null) return k.desc ? 1 : -1;
      if (y === null) return k.desc ? -1 : 1;
      const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : x < y ? -1 : 1;
      return k.desc ? -c : c;
    }
    return 0;
  });
}

export function validateSelect(entity: EntityDef, select: string[] | undefined): void {
  for (const s of select ?? []) if (!(s in entity.columns)) throw unknownProperty(entity, s);
}

export function etagOf(row: Row): string {
  return `W/"${String(row.versionnumber)}"`;
}

/** A row as the Web API returns it: etag, selected columns (primary id always), lookup annotations, expansions. */
export function projectRow(
  state: SimulatorState,
  entity: EntityDef,
  row: Row,
  select: string[] | undefined,
  prefer: Prefer,
  expand: ExpandItem[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(row) };
  const cols = select && select.length > 0 ? Object.keys(entity.columns).filter((c) => c === entity.primaryId || select.includes(c)) : Object.keys(entity.columns);
  for (const c of cols) {
    const v = row[c] ?? null;
    const lookup = entity.lookups.find((l) => l.column === c);
    if (lookup && v !== null) {
      const target = ENTITIES[lookup.target];
      if (wantsAnnotation(prefer, 'OData.Community.Display.V1.FormattedValue')) {
        const t = state.table(target.logicalName).get(v as string);
        if (t) out[`${c}@OData.Community.Display.V1.FormattedValue`] = t[target.primaryName];
      }
      if (wantsAnnotation(prefer, 'Microsoft.Dynamics.CRM.associatednavigationproperty')) {
        out[`${c}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = lookup.nav;
      }
      if (wantsAnnotation(prefer, 'Microsoft.Dynamics.CRM.lookuplogicalname')) {
        out[`${c}@Microsoft.Dynamics.CRM.lookuplogicalname`] = target.logicalName;
      }
    }
    out[c] = v;
  }
  for (const item of expand ?? []) {
    const lookup = entity.lookups.find((l) => l.nav === item.nav);
    if (lookup) {
      const target = ENTITIES[lookup.target];
      validateSelect(target, item.select);
      const id = row[lookup.column];
      const t = typeof id === 'string' ? state.table(target.logicalName).get(id) : undefined;
      out[item.nav] = t ? projectRow(state, target, t, item.select, prefer, item.expand) : null;
      continue;
    }
    const coll = entity.collections.find((c) => c.nav === item.nav);
    if (!coll) throw unknownProperty(entity, item.nav);
    const target = ENTITIES[coll.target];
    validateSelect(target, item.select);
    let rows = [...state.table(target.logicalName).values()].filter((r) => r[coll.column] === row[entity.primaryId]);
    if (item.filter) {
      const f = compileFilter(state, target, item.filter);
      rows = rows.filter(f);
    }
    rows = sortRows(target, rows, item.orderby);
    if (item.top !== undefined) rows = rows.slice(0, item.top);
    out[item.nav] = rows.map((r) => projectRow(state, target, r, item.select, prefer, item.expand));
  }
  return out;
}

export function contextSuffix(select: string[] | undefined, expand: ExpandItem[] | undefined): string {
  const parts: string[] = [...(select ?? [])];
  for (const e of expand ?? []) parts.push(`${e.nav}(${(e.select ?? []).join(',')})`);
  return parts.length > 0 ? `(${parts.join(',')})` : '';
}
