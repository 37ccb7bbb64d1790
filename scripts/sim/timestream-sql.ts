// Tokenizer and recursive-descent parser for the Timestream SQL subset the simulator answers (the grammar
// is listed in README.md, "Timestream SQL subset"). Anything outside it is a ValidationException, so the
// app cannot come to rely on SQL the simulator would only pretend to run.

import { validation } from './errors';

type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'duration' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Duration in milliseconds for 'duration' tokens. */
  ms?: number;
  pos: number;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw validation(`line 1:${i + 1}: ${msg}`);
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === ';') fail('multiple statements and trailing semicolons are not supported');
    if (sql.startsWith('--', i) || sql.startsWith('/*', i)) fail('comments are not supported by the simulator');
    if (/[\x00-\x1f]/.test(c)) fail('control characters are not allowed');
    if (/[A-Za-z_]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'ident', text: sql.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < sql.length && /[0-9.]/.test(sql[i]!)) i++;
      const number = sql.slice(start, i);
      if (!/^\d+(\.\d+)?$/.test(number)) fail(`malformed number '${number}'`);
      const unitStart = i;
      while (i < sql.length && /[A-Za-z]/.test(sql[i]!)) i++;
      const unit = sql.slice(unitStart, i);
      if (unit === '') tokens.push({ kind: 'number', text: number, pos: start });
      else if (UNIT_MS[unit] !== undefined) {
        tokens.push({ kind: 'duration', text: number + unit, ms: Number(number) * UNIT_MS[unit]!, pos: start });
      } else fail(`unknown duration unit '${unit}' (use ns, us, ms, s, m, h or d)`);
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      let text = '';
      for (;;) {
        if (i >= sql.length) fail(`unterminated ${c === "'" ? 'string literal' : 'quoted identifier'}`);
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'qident', text, pos: start });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (['::', '<=', '>=', '<>', '!='].includes(two)) {
      tokens.push({ kind: 'punct', text: two, pos: start });
      i += 2;
      continue;
    }
    if ('(),.*=<>+-'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    fail(`unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: sql.length });
  return tokens;
}

export type Aggregate = 'avg' | 'min' | 'max' | 'count';

export type SelectExpr =
  | { kind: 'bin'; ms: number; text: string }
  | { kind: 'agg'; fn: Aggregate; star: boolean }
  | { kind: 'column'; name: string };

export interface SelectItem {
  expr: SelectExpr;
  alias?: string;
}

/** A time bound: an absolute epoch-ms value, or relative to now(). */
export type TimeValue = { base: 'now'; offsetMs: number } | { base: 'absolute'; ms: number };

export type Predicate =
  | { kind: 'in'; column: string; values: string[] }
  | { kind: 'time'; op: '<' | '<=' | '>' | '>='; value: TimeValue };

export type OrderTarget = { kind: 'expr'; expr: SelectExpr } | { kind: 'alias'; name: string } | { kind: 'ordinal'; n: number };

export interface ParsedQuery {
  select: SelectItem[];
  database: string;
  table: string;
  where: Predicate[];
  groupBy: ({ kind: 'expr'; expr: SelectExpr } | { kind: 'ordinal'; n: number })[];
  orderBy: { target: OrderTarget; desc: boolean }[];
  limit?: number;
}

const RESERVED = new Set([
  'select', 'from', 'where', 'group', 'by', 'order', 'limit', 'as', 'and', 'or', 'not', 'in', 'between', 'asc', 'desc',
  'having', 'join', 'union', 'with', 'on',
]);

class SqlParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  fail(message: string, token: Token = this.tok): never {
    throw validation(`line 1:${token.pos + 1}: ${message}`);
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(`expected ${word.toUpperCase()} but found '${this.tok.text || 'end of query'}'`);
  }

  private isPunct(p: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === p;
  }

  private acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }

  private expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail(`expected '${p}' but found '${this.tok.text || 'end of query'}'`);
  }

  /** Identifier (quoted or not); keywords are not identifiers. */
  private identifier(what: string): string {
    const t = this.tok;
    if (t.kind === 'qident') {
      this.i++;
      return t.text;
    }
    if (t.kind === 'ident' && !RESERVED.has(t.text.toLowerCase())) {
      this.i++;
      return t.text;
    }
    return this.fail(`expected ${what} but found '${t.text || 'end of query'}'`);
  }

  parse(): ParsedQuery {
    this.expectKeyword('select');
    if (this.acceptKeyword('distinct')) this.fail('SELECT DISTINCT is not supported by the simulator');
    const select: SelectItem[] = [this.selectItem()];
    while (this.acceptPunct(',')) select.push(this.selectItem());
    this.expectKeyword('from');
    const database = this.identifier('a database name');
    this.expectPunct('.');
    const table = this.identifier('a table name');
    const where: Predicate[] = [];
    if (this.acceptKeyword('where')) this.conjunction(where);
    const groupBy: ParsedQuery['groupBy'] = [];
    if (this.acceptKeyword('group')) {
      this.expectKeyword('by');
      do groupBy.push(this.groupItem());
      while (this.acceptPunct(','));
    }
    if (this.isKeyword('having')) this.fail('HAVING is not supported by the simulator');
    const orderBy: ParsedQuery['orderBy'] = [];
    if (this.acceptKeyword('order')) {
      this.expectKeyword('by');
      do {
        const target = this.orderTarget();
        const desc = this.acceptKeyword('desc');
        if (!desc) this.acceptKeyword('asc');
        orderBy.push({ target, desc });
      } while (this.acceptPunct(','));
    }
    let limit: number | undefined;
    if (this.acceptKeyword('limit')) {
      if (this.tok.kind !== 'number' || !/^\d+$/.test(this.tok.text)) this.fail('LIMIT needs a whole number');
      limit = Number(this.tok.text);
      this.i++;
    }
    if (this.tok.kind !== 'eof') {
      const word = this.tok.text.toLowerCase();
      if (['join', 'union', 'with', 'having'].includes(word)) this.fail(`${word.toUpperCase()} is not supported by the simulator`);
      this.fail(`unexpected '${this.tok.text}'`);
    }
    return { select, database, table, where, groupBy, orderBy, limit };
  }

  private duration(): { ms: number; text: string } {
    const t = this.tok;
    if (t.kind !== 'duration') this.fail(`expected a duration such as 5m or 1h but found '${t.text || 'end of query'}'`);
    this.i++;
    return { ms: t.ms!, text: t.text };
  }

  /** The expressions allowed in SELECT, GROUP BY and ORDER BY. */
  private expression(): SelectExpr {
    const t = this.tok;
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      const next = this.tokens[this.i + 1];
      if (next?.kind === 'punct' && next.text === '(') {
        this.i += 2;
        if (word === 'bin') {
          const col = this.identifier('a column');
          if (col !== 'time') this.fail(`bin() in the simulator works on the time column only, not '${col}'`, t);
          this.expectPunct(',');
          const d = this.duration();
          this.expectPunct(')');
          return { kind: 'bin', ms: d.ms, text: d.text };
        }
        if (word === 'avg' || word === 'min' || word === 'max' || word === 'count') {
          if (word === 'count' && this.acceptPunct('*')) {
            this.expectPunct(')');
            return { kind: 'agg', fn: 'count', star: true };
          }
          this.measureValue();
          this.expectPunct(')');
          return { kind: 'agg', fn: word, star: false };
        }
        this.fail(`function ${t.text}() is not supported by the simulator (supported: bin, avg, min, max, count)`, t);
      }
    }
    if (t.kind === 'ident' && t.text.toLowerCase() === 'measure_value') {
      this.fail('selecting raw measure values is not supported by the simulator; aggregate them with avg/min/max/count');
    }
    if (this.isPunct('*')) this.fail('SELECT * is not supported by the simulator');
    if (t.kind === 'ident' || t.kind === 'qident') return { kind: 'column', name: this.identifier('a column') };
    return this.fail(`unexpected '${t.text || 'end of query'}'`);
  }

  private measureValue(): void {
    const t = this.tok;
    if (!(t.kind === 'ident' && t.text.toLowerCase() === 'measure_value')) {
      this.fail(`aggregates in the simulator take measure_value::double, not '${t.text}'`);
    }
    this.i++;
    this.expectPunct('::');
    const type = this.identifier('a measure type').toLowerCase();
    if (type !== 'double') {
      this.fail(`the simulated table stores DOUBLE measures only; use measure_value::double, not measure_value::${type}`);
    }
  }

  private selectItem(): SelectItem {
    const expr = this.expression();
    let alias: string | undefined;
    if (this.acceptKeyword('as')) alias = this.identifier('an alias');
    else if (this.tok.kind === 'qident' || (this.tok.kind === 'ident' && !RESERVED.has(this.tok.text.toLowerCase()))) {
      alias = this.identifier('an alias');
    }
    return alias === undefined ? { expr } : { expr, alias };
  }

  private groupItem(): ParsedQuery['groupBy'][number] {
    if (this.tok.kind === 'number') {
      const n = Number(this.tok.text);
      this.i++;
      return { kind: 'ordinal', n };
    }
    return { kind: 'expr', expr: this.expression() };
  }

  private orderTarget(): OrderTarget {
    if (this.tok.kind === 'number') {
      const n = Number(this.tok.text);
      this.i++;
      return { kind: 'ordinal', n };
    }
    const expr = this.expression();
    return expr.kind === 'column' ? { kind: 'alias', name: expr.name } : { kind: 'expr', expr };
  }

  private conjunction(out: Predicate[]): void {
    do {
      if (this.acceptPunct('(')) {
        this.conjunction(out);
        this.expectPunct(')');
      } else out.push(...this.predicate());
      if (this.isKeyword('or')) this.fail('OR is not supported by the simulator; use IN (...) for alternatives');
    } while (this.acceptKeyword('and'));
  }

  private predicate(): Predicate[] {
    if (this.isKeyword('not')) this.fail('NOT is not supported by the simulator');
    const colTok = this.tok;
    const column = this.identifier('a column');
    if (column === 'time') {
      if (this.acceptKeyword('between')) {
        const lo = this.timeValue();
        this.expectKeyword('and');
        const hi = this.timeValue();
        // BETWEEN is inclusive on both ends; it becomes two predicates.
        return [
          { kind: 'time', op: '>=', value: lo },
          { kind: 'time', op: '<=', value: hi },
        ];
      }
      const op = this.tok.text;
      if (this.tok.kind !== 'punct' || !['<', '<=', '>', '>='].includes(op)) {
        this.fail(`time can be compared with <, <=, >, >= or BETWEEN in the simulator, not '${op}'`);
      }
      this.i++;
      return [{ kind: 'time', op: op as '<' | '<=' | '>' | '>=', value: this.timeValue() }];
    }
    if (this.acceptKeyword('in')) {
      this.expectPunct('(');
      const values = [this.stringLiteral()];
      while (this.acceptPunct(',')) values.push(this.stringLiteral());
      this.expectPunct(')');
      return [{ kind: 'in', column, values }];
    }
    if (this.acceptPunct('=')) return [{ kind: 'in', column, values: [this.stringLiteral()] }];
    if (this.isKeyword('like')) this.fail('LIKE is not supported by the simulator');
    return this.fail(`'${colTok.text}' can be filtered with = or IN (...) in the simulator, not '${this.tok.text}'`);
  }

  private stringLiteral(): string {
    const t = this.tok;
    if (t.kind !== 'string') this.fail(`expected a string literal but found '${t.text || 'end of query'}'`);
    this.i++;
    return t.text;
  }

  private timeValue(): TimeValue {
    const t = this.tok;
    let value: TimeValue;
    const fn = t.kind === 'ident' ? t.text.toLowerCase() : '';
    if (fn === 'ago') {
      this.i++;
      this.expectPunct('(');
      const d = this.duration();
      this.expectPunct(')');
      value = { base: 'now', offsetMs: -d.ms };
    } else if (fn === 'now') {
      this.i++;
      this.expectPunct('(');
      this.expectPunct(')');
      value = { base: 'now', offsetMs: 0 };
    } else if (fn === 'from_iso8601_timestamp') {
      this.i++;
      this.expectPunct('(');
      const lit = this.tok;
      const text = this.stringLiteral();
      this.expectPunct(')');
      value = { base: 'absolute', ms: parseIso(text, () => this.fail(`invalid ISO 8601 timestamp '${text}'`, lit)) };
    } else {
      return this.fail(`expected ago(...), now() or from_iso8601_timestamp('...') but found '${t.text || 'end of query'}'`);
    }
    while (this.isPunct('-') || this.isPunct('+')) {
      const sign = this.tok.text === '-' ? -1 : 1;
      this.i++;
      const d = this.duration();
      value = value.base === 'now' ? { base: 'now', offsetMs: value.offsetMs + sign * d.ms } : { base: 'absolute', ms: value.ms + sign * d.ms };
    }
    return value;
  }
}

function parseIso(text: string, fail: () => never): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) return fail();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(base);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return fail();
  }
  if (zone === 'Z') return base;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offset = (Number(zm[2]) * 60 + Number(zm[3])) * 60_000 * (zm[1] === '+' ? 1 : -1);
  return base - offset;
}

export function parseQuery(sql: string): ParsedQuery {
  return new SqlParser(tokenize(sql)).parse();
}
