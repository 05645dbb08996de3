import { DataverseError, badQuery } from './errors';
import { ENTITIES, EntityDef } from './metadata';
import { Prefer, etagOf, wantsAnnotation } from './odata-query';
import { Row, SimulatorState } from './store';
import { lowerHex } from './util';
import { XmlElement, parseXml } from './xml';

interface FetchEntity {
  entity: EntityDef;
  alias: string;
  attributes: { column: string; alias?: string }[];
  all: boolean;
  filter?: XmlElement;
  links: FetchLink[];
  orders: { column: string; desc: boolean }[];
}

interface FetchLink extends FetchEntity {
  from: string;
  to: string;
  outer: boolean;
}

/** A joined row: the root row plus one row (or null for outer joins) per link alias. */
type Joined = Record<string, Row | null>;

function entityNamed(name: string | undefined): EntityDef {
  const e = name ? ENTITIES[name] : undefined;
  if (!e) throw new DataverseError(400, '0x80041102', `The entity with a name = '${name ?? ''}' with namemapping = 'Logical' was not found in the MetadataCache.`);
  return e;
}

/** FetchXML names lookups by their logical name; the Web API stores them as `_x_value`. */
function columnOf(entity: EntityDef, attr: string | undefined): string {
  if (attr && attr in entity.columns) return attr;
  if (attr && `_${attr}_value` in entity.columns) return `_${attr}_value`;
  throw new DataverseError(400, '0x80041103', `'${entity.logicalName}' entity doesn't contain attribute with Name = '${attr ?? ''}' and NameMapping = 'Logical'.`);
}

function readEntity(el: XmlElement, entity: EntityDef, alias: string, counter: { n: number }): FetchEntity {
  const out: FetchEntity = { entity, alias, attributes: [], all: false, links: [], orders: [] };
  for (const c of el.children) {
    if (c.name === 'attribute') out.attributes.push({ column: columnOf(entity, c.attrs.name), alias: c.attrs.alias });
    else if (c.name === 'all-attributes') out.all = true;
    else if (c.name === 'filter') {
      if (out.filter) out.filter = { name: 'filter', attrs: { type: 'and' }, children: [out.filter, c], text: '' };
      else out.filter = c;
      validateFilter(entity, c);
    } else if (c.name === 'order') out.orders.push({ column: columnOf(entity, c.attrs.attribute), desc: c.attrs.descending === 'true' });
    else if (c.name === 'link-entity') {
      const target = entityNamed(c.attrs.name);
      counter.n++;
      const link = readEntity(c, target, c.attrs.alias ?? `${target.logicalName}${counter.n}`, counter) as FetchLink;
      link.from = columnOf(target, c.attrs.from);
      link.to = columnOf(entity, c.attrs.to);
      link.outer = (c.attrs['link-type'] ?? 'inner') === 'outer';
      out.links.push(link);
    } else {
      throw badQuery(`The element '${c.name}' is not supported in FetchXML by the simulator.`);
    }
  }
  return out;
}

function validateFilter(entity: EntityDef, f: XmlElement): void {
  for (const c of f.children) {
    if (c.name === 'condition') columnOf(entity, c.attrs.attribute);
    else if (c.name === 'filter') validateFilter(entity, c);
  }
}

function likeToRegex(pattern: string): RegExp {
  const esc = pattern.replace(/[.+^${}()|[\]\\*?]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${esc}$`, 'is');
}

function norm(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v).toLowerCase().replace(/^\{(.*)\}$/, '$1');
}

function conditionMatches(entity: EntityDef, row: Row, c: XmlElement): boolean {
  const column = columnOf(entity, c.attrs.attribute);
  const v = norm(row[column]);
  const op = (c.attrs.operator ?? 'eq').toLowerCase();
  const values = c.children.filter((x) => x.name === 'value').map((x) => norm(x.text.trim()));
  const value = c.attrs.value !== undefined ? norm(c.attrs.value) : values[0] ?? null;
  const num = (x: string): string | number => (/^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x);
  switch (op) {
    case 'eq':
      return v !== null && v === value;
    case 'ne':
    case 'neq':
      return v !== value;
    case 'null':
      return v === null;
    case 'not-null':
      return v !== null;
    case 'in':
      return v !== null && values.includes(v);
    case 'not-in':
      return v === null || !values.includes(v);
    case 'like':
      return v !== null && likeToRegex(value ?? '').test(v);
    case 'not-like':
      return v === null || !likeToRegex(value ?? '').test(v);
    case 'begins-with':
      return v !== null && v.startsWith(value ?? '');
    case 'ends-with':
      return v !== null && v.endsWith(value ?? '');
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      if (v === null || value === null) return false;
      const a = num(v);
      const b = num(value);
      if (op === 'gt') return a > b;
      if (op === 'ge') return a >= b;
      if (op === 'lt') return a < b;
      return a <= b;
    }
    default:
      throw badQuery(`The FetchXML condition operator '${op}' is not supported by the simulator.`);
  }
}

function filterMatches(entity: EntityDef, row: Row, f: XmlElement | undefined): boolean {
  if (!f) return true;
  const parts = f.children.filter((c) => c.name === 'condition' || c.name === 'filter');
  const test = (c: XmlElement) => (c.name === 'condition' ? conditionMatches(entity, row, c) : filterMatches(entity, row, c));
  return (f.attrs.type ?? 'and').toLowerCase() === 'or' ? parts.some(test) : parts.every(test);
}

function expandLinks(state: SimulatorState, node: FetchEntity, row: Row): Joined[] {
  let combos: Joined[] = [{ [node.alias]: row }];
  for (const link of node.links) {
    const matches = [...state.table(link.entity.logicalName).values()].filter(
      (r) => r[link.from] !== null && norm(r[link.from]) === norm(row[link.to]) && filterMatches(link.entity, r, link.filter),
    );
    const sub: Joined[] = matches.flatMap((m) => expandLinks(state, link, m));
    if (sub.length === 0) {
      if (!link.outer) return [];
      combos = combos.map((c) => ({ ...c, [link.alias]: null }));
      continue;
    }
    combos = combos.flatMap((c) => sub.map((s) => ({ ...c, ...s })));
  }
  return combos;
}

function output(node: FetchEntity, j: Joined, out: Record<string, unknown>, isRoot: boolean): void {
  const row = j[node.alias];
  if (row) {
    const cols = node.all ? Object.keys(node.entity.columns) : node.attributes.map((a) => a.column);
    if (isRoot && !cols.includes(node.entity.primaryId)) cols.unshift(node.entity.primaryId);
    for (const col of cols) {
      const v = row[col];
      // dataverse-facts §1.8: FetchXML results leave out null properties
      if (v === null || v === undefined) continue;
      const explicitAlias = node.attributes.find((a) => a.column === col)?.alias;
      out[isRoot ? explicitAlias ?? col : explicitAlias ?? `${node.alias}.${col}`] = v;
    }
  }
  for (const l of node.links) output(l, j, out, false);
}

export interface FetchResult {
  body: Record<string, unknown>;
  preferenceApplied?: string;
}

export function runFetchXml(state: SimulatorState, setEntity: EntityDef, xml: string, prefer: Prefer, baseUrl: string): FetchResult {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (e) {
    throw badQuery(`Malformed FetchXml: ${(e as Error).message}`);
  }
  if (doc.name !== 'fetch') throw badQuery('The root element of FetchXml must be <fetch>.');
  const entityEl = doc.children.find((c) => c.name === 'entity');
  const entity = entityNamed(entityEl?.attrs.name);
  if (entity !== setEntity) {
    throw badQuery(`The entity name '${entity.logicalName}' in the FetchXml does not match the entity set '${setEntity.setName}'.`);
  }
  const root = readEntity(entityEl as XmlElement, entity, entity.logicalName, { n: 0 });
  const rows = [...state.table(entity.logicalName).values()].filter((r) => filterMatches(entity, r, root.filter));
  let joined = rows.flatMap((r) => expandLinks(state, root, r));
  if (root.orders.length > 0) {
    joined = [...joined].sort((a, b) => {
      for (const o of root.orders) {
        const x = a[root.alias]?.[o.column] as string | number | null;
        const y = b[root.alias]?.[o.column] as string | number | null;
        if (x === y) continue;
        const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        return o.desc ? -c : c;
      }
      return 0;
    });
  }
  let values = joined.map((j) => {
    const out: Record<string, unknown> = { '@odata.etag': etagOf(j[root.alias] as Row) };
    output(root, j, out, true);
    return out;
  });
  if (doc.attrs.distinct === 'true') {
    const seen = new Set<string>();
    values = values.filter((v) => {
      const { ['@odata.etag']: _etag, ...rest } = v;
      const key = JSON.stringify(rest);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const top = doc.attrs.top !== undefined ? Number(doc.attrs.top) : undefined;
  if (top !== undefined) values = values.slice(0, top);
  const count = doc.attrs.count !== undefined ? Number(doc.attrs.count) : 5000;
  const page = doc.attrs.page !== undefined ? Number(doc.attrs.page) : 1;
  if (!Number.isInteger(count) || count < 1 || count > 5000 || !Number.isInteger(page) || page < 1) {
    throw badQuery('The FetchXml count must be between 1 and 5000 and page at least 1.');
  }
  const slice = values.slice((page - 1) * count, page * count);
  const more = values.length > page * count;
  const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/$metadata#${entity.setName}` };
  if (more && (wantsAnnotation(prefer, 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie') || wantsAnnotation(prefer, 'Microsoft.Dynamics.CRM.morerecords'))) {
    const last = slice[slice.length - 1]?.[entity.primaryId] as string | undefined;
    const first = slice[0]?.[entity.primaryId] as string | undefined;
    const inner = `<cookie page="${page}"><${entity.primaryId} last="{${(last ?? '').toUpperCase()}}" first="{${(first ?? '').toUpperCase()}}" /></cookie>`;
    const cookie = `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(lowerHex(encodeURIComponent(inner)))}" istracking="False" />`;
    body['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'] = cookie;
    body['@Microsoft.Dynamics.CRM.morerecords'] = true;
  }
  body.value = slice;
  return { body, preferenceApplied: prefer.includeAnnotations !== undefined ? `odata.include-annotations="${prefer.includeAnnotations}"` : undefined };
}
