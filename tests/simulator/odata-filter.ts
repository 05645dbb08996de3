import { badQuery } from './errors';
import { ColumnType, EDM } from './metadata';

type Literal = string | number | boolean | null;

export type FilterExpr =
  | { k: 'and' | 'or'; l: FilterExpr; r: FilterExpr }
  | { k: 'not'; e: FilterExpr }
  | { k: 'cmp'; op: CmpOp; l: FilterExpr; r: FilterExpr }
  | { k: 'prop'; path: string }
  | { k: 'lit'; v: Literal; type: ColumnType | 'null' | 'number' }
  | { k: 'fn'; name: string; args: FilterExpr[] }
  | { k: 'in'; prop: string; values: Literal[]; negate: boolean };

type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const CMP_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const OP_KIND: Record<CmpOp, string> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual',
};

interface Token {
  t: 'str' | 'num' | 'guid' | 'id' | 'punct';
  v: string;
  pos: number;
}

const GUID_AT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= src.length) {
          // dataverse-facts §1.7: the position reported is where the literal ran off the end
          throw badQuery(`There is an unterminated literal at position ${src.length} in '${src}'.`);
        }
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += src[j++];
      }
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if ('(),[]='.includes(c)) {
      out.push({ t: 'punct', v: c, pos: i });
      i++;
      continue;
    }
    const rest = src.slice(i);
    const g = GUID_AT.exec(rest);
    if (g) {
      out.push({ t: 'guid', v: g[0].toLowerCase(), pos: i });
      i += g[0].length;
      continue;
    }
    const n = /^-?\d+(\.\d+)?(?![\w])/.exec(rest);
    if (n) {
      out.push({ t: 'num', v: n[0], pos: i });
      i += n[0].length;
      continue;
    }
    const id = /^[A-Za-z_$@][\w.$/@]*/.exec(rest);
    if (id) {
      out.push({ t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw badQuery(`Syntax error at position ${i} in '${src}'.`);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly src: string) {}

  parse(): FilterExpr {
    const e = this.or();
    if (this.i < this.toks.length) this.fail(this.toks[this.i]);
    return e;
  }

  private fail(tok?: Token): never {
    const pos = tok ? tok.pos : this.src.length;
    throw badQuery(`Syntax error at position ${pos} in '${this.src}'.`);
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return !!t && t.t === 'id' && t.v.toLowerCase() === word;
  }

  private expect(v: string): void {
    const t = this.toks[this.i];
    if (!t || t.t !== 'punct' || t.v !== v) this.fail(t);
    this.i++;
  }

  private or(): FilterExpr {
    let l = this.and();
    while (this.isWord('or')) {
      this.i++;
      l = { k: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): FilterExpr {
    let l = this.unary();
    while (this.isWord('and')) {
      this.i++;
      l = { k: 'and', l, r: this.unary() };
    }
    return l;
  }

  private unary(): FilterExpr {
    if (this.isWord('not')) {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    return this.comparison();
  }

  private comparison(): FilterExpr {
    const l = this.primary();
    const t = this.peek();
    if (t && t.t === 'id' && CMP_OPS.has(t.v.toLowerCase())) {
      this.i++;
      const r = this.primary();
      return { k: 'cmp', op: t.v.toLowerCase() as CmpOp, l, r };
    }
    return l;
  }

  private literalValue(): { v: Literal; type: ColumnType | 'null' | 'number' } {
    const t = this.toks[this.i];
    if (!t) this.fail();
    this.i++;
    if (t.t === 'str') return { v: t.v, type: 'string' };
    if (t.t === 'num') return { v: Number(t.v), type: 'number' };
    if (t.t === 'guid') return { v: t.v, type: 'guid' };
    if (t.t === 'id') {
      const w = t.v.toLowerCase();
      if (w === 'null') return { v: null, type: 'null' };
      if (w === 'true' || w === 'false') return { v: w === 'true', type: 'bool' };
    }
    return this.fail(t);
  }

  private primary(): FilterExpr {
    const t = this.peek();
    if (!t) this.fail();
    if (t.t === 'punct' && t.v === '(') {
      this.i++;
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t.t === 'id') {
      const next = this.toks[this.i + 1];
      if (next && next.t === 'punct' && next.v === '(') return this.call();
      const w = t.v.toLowerCase();
      if (w !== 'null' && w !== 'true' && w !== 'false') {
        this.i++;
        return { k: 'prop', path: t.v };
      }
    }
    const lit = this.literalValue();
    return { k: 'lit', v: lit.v, type: lit.type };
  }

  private call(): FilterExpr {
    const name = this.toks[this.i].v;
    this.i += 2;
    const lname = name.toLowerCase();
    if (lname === 'microsoft.dynamics.crm.in' || lname === 'microsoft.dynamics.crm.notin') {
      const named: Record<string, Literal | Literal[]> = {};
      while (!(this.peek()?.t === 'punct' && this.peek()?.v === ')')) {
        const key = this.toks[this.i];
        if (!key || key.t !== 'id') this.fail(key);
        this.i++;
        this.expect('=');
        if (this.peek()?.t === 'punct' && this.peek()?.v === '[') {
          this.i++;
          const values: Literal[] = [];
          while (!(this.peek()?.t === 'punct' && this.peek()?.v === ']')) {
            values.push(this.literalValue().v);
            if (this.peek()?.t === 'punct' && this.peek()?.v === ',') this.i++;
          }
          this.i++;
          named[key.v] = values;
        } else {
          named[key.v] = this.literalValue().v;
        }
        if (this.peek()?.t === 'punct' && this.peek()?.v === ',') this.i++;
      }
      this.expect(')');
      const prop = named.PropertyName;
      const values = named.PropertyValues;
      if (typeof prop !== 'string' || !Array.isArray(values)) {
        throw badQuery(`${name} requires PropertyName and PropertyValues.`);
      }
      return { k: 'in', prop, values, negate: lname.endsWith('notin') };
    }
    const args: FilterExpr[] = [];
    while (!(this.peek()?.t === 'punct' && this.peek()?.v === ')')) {
      args.push(this.or());
      if (this.peek()?.t === 'punct' && this.peek()?.v === ',') this.i++;
      else break;
    }
    this.expect(')');
    if (!['contains', 'startswith', 'endswith', 'tolower', 'toupper'].includes(lname)) {
      throw badQuery(`An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
    }
    return { k: 'fn', name: lname, args };
  }
}

export function parseFilter(src: string): FilterExpr {
  return new Parser(tokenize(src), src).parse();
}

/** Resolves a property path on a row; throws the Web API error for an unknown property. */
export interface PropertyResolver {
  typeOf(path: string): ColumnType;
  valueOf(row: Record<string, unknown>, path: string): unknown;
}

type Typed = { v: unknown; type: ColumnType | 'null' | 'number' };

function evalValue(e: FilterExpr, row: Record<string, unknown>, res: PropertyResolver): Typed {
  switch (e.k) {
    case 'prop':
      return { v: res.valueOf(row, e.path), type: res.typeOf(e.path) };
    case 'lit':
      return { v: e.v, type: e.type };
    case 'fn':
      if (e.name === 'tolower' || e.name === 'toupper') {
        const a = evalValue(e.args[0], row, res);
        return { v: typeof a.v === 'string' ? (e.name === 'tolower' ? a.v.toLowerCase() : a.v.toUpperCase()) : a.v, type: a.type };
      }
      return { v: evalBool(e, row, res), type: 'bool' };
    default:
      return { v: evalBool(e, row, res), type: 'bool' };
  }
}

function compatible(a: Typed['type'], b: Typed['type']): boolean {
  if (a === 'null' || b === 'null' || a === b) return true;
  if (a === 'number') return b === 'int';
  if (b === 'number') return a === 'int';
  // datetimes are compared as ISO strings
  if ((a === 'datetime' && b === 'string') || (a === 'string' && b === 'datetime')) return true;
  return false;
}

function edmName(t: Typed['type']): string {
  if (t === 'number') return 'Edm.Int32';
  if (t === 'null') return 'null';
  return EDM[t];
}

function norm(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function evalBool(e: FilterExpr, row: Record<string, unknown>, res: PropertyResolver): boolean {
  switch (e.k) {
    case 'and':
      return evalBool(e.l, row, res) && evalBool(e.r, row, res);
    case 'or':
      return evalBool(e.l, row, res) || evalBool(e.r, row, res);
    case 'not':
      return !evalBool(e.e, row, res);
    case 'in': {
      res.typeOf(e.prop);
      const v = norm(res.valueOf(row, e.prop));
      const hit = e.values.some((x) => norm(typeof x === 'number' ? x : x) === v || String(norm(x)) === String(v));
      return e.negate ? !hit : hit;
    }
    case 'cmp': {
      const l = evalValue(e.l, row, res);
      const r = evalValue(e.r, row, res);
      if (!compatible(l.type, r.type)) {
        throw badQuery(
          `A binary operator with incompatible types was detected. Found operand types '${edmName(l.type)}' and '${edmName(r.type)}' for operator kind '${OP_KIND[e.op]}'.`,
        );
      }
      const a = norm(l.v);
      const b = norm(r.v);
      if (e.op === 'eq') return (a ?? null) === (b ?? null);
      if (e.op === 'ne') return (a ?? null) !== (b ?? null);
      if (a === null || a === undefined || b === null || b === undefined) return false;
      const x = a as number | string;
      const y = b as number | string;
      if (e.op === 'gt') return x > y;
      if (e.op === 'ge') return x >= y;
      if (e.op === 'lt') return x < y;
      return x <= y;
    }
    case 'fn': {
      const [s, sub] = e.args.map((a) => evalValue(a, row, res));
      if (!s || !sub) throw badQuery(`The function '${e.name}' requires two arguments.`);
      if (s.v === null || s.v === undefined) return false;
      const hay = String(s.v).toLowerCase();
      const needle = String(sub.v ?? '').toLowerCase();
      if (e.name === 'contains') return hay.includes(needle);
      if (e.name === 'startswith') return hay.startsWith(needle);
      if (e.name === 'endswith') return hay.endsWith(needle);
      return false;
    }
    case 'prop': {
      const v = res.valueOf(row, e.path);
      return v === true;
    }
    case 'lit':
      return e.v === true;
  }
}

export function evaluateFilter(e: FilterExpr, row: Record<string, unknown>, res: PropertyResolver): boolean {
  return evalBool(e, row, res);
}
