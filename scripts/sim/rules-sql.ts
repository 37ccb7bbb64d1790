// The AWS IoT rule-SQL subset the simulator evaluates: SELECT of `*`, payload fields, `topic(n)`,
// `timestamp()` and `clientid()` (with AS aliases); FROM '<topic filter>' with MQTT `+`/`#` wildcards;
// WHERE as comparisons (=, <>, !=, <, <=, >, >=) joined by AND. Anything else is a SqlParseException,
// never a silently different rule.

import { AwsError } from './errors';
import { isObject, type Json, type JsonObject } from './json';

export const sqlParseError = (message: string) => new AwsError('SqlParseException', 400, message);

type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'topic'; level?: number }
  | { kind: 'timestamp' }
  | { kind: 'clientid' };

export type SelectItem = { kind: 'star' } | { kind: 'value'; operand: Operand; alias: string };

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface Comparison {
  left: Operand;
  op: ComparisonOp;
  right: Operand;
}

export interface ParsedRuleSql {
  select: SelectItem[];
  /** The FROM topic filter (AWS reports it as `topicPattern`). */
  topicFilter: string;
  /** Conjunction of comparisons; empty = no WHERE. */
  where: Comparison[];
}

/** A message as the rules engine sees it. */
export interface RuleMessage {
  topic: string;
  payload: JsonObject;
  /** Rules-engine time of the message, epoch ms (what timestamp() returns). */
  timestampMs: number;
  clientId: string;
}

type Token = { t: 'word'; v: string } | { t: 'string'; v: string } | { t: 'number'; v: number } | { t: 'sym'; v: string };

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      const end = sql.indexOf("'", i + 1);
      if (end < 0) throw sqlParseError(`Unterminated string starting at position ${i}`);
      out.push({ t: 'string', v: sql.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(sql.slice(i));
    if (num && (c !== '-' || out.length === 0 || out[out.length - 1]!.t === 'sym')) {
      out.push({ t: 'number', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    const sym = /^(<>|!=|<=|>=|[=<>*,().])/.exec(sql.slice(i));
    if (sym) {
      out.push({ t: 'sym', v: sym[0] === '!=' ? '<>' : sym[0] });
      i += sym[0].length;
      continue;
    }
    throw sqlParseError(`Unexpected character '${c}' at position ${i} (the fleet simulator supports a subset of AWS IoT SQL)`);
  }
  return out;
}

/** Validates an MQTT topic filter as AWS IoT accepts it in a rule's FROM clause. */
export function checkTopicFilter(filter: string): void {
  if (filter.length === 0 || Buffer.byteLength(filter) > 256) throw sqlParseError('The FROM topic filter must be 1-256 bytes');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) throw sqlParseError(`Invalid topic filter '${filter}': # must be the last level on its own`);
    if (level.includes('+') && level !== '+') throw sqlParseError(`Invalid topic filter '${filter}': + must occupy a whole level`);
  });
}

/** MQTT matching; a filter that starts with a wildcard does not match `$`-topics (MQTT 3.1.1 §4.7.2). */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const tok = this.tokens[this.pos++];
    if (!tok) throw sqlParseError('Unexpected end of statement');
    return tok;
  }

  private isWord(v: string): boolean {
    const tok = this.peek();
    return tok?.t === 'word' && tok.v.toUpperCase() === v;
  }

  private isSym(v: string): boolean {
    const tok = this.peek();
    return tok?.t === 'sym' && tok.v === v;
  }

  private expectWord(v: string): void {
    if (!this.isWord(v)) throw sqlParseError(`Expected ${v} ${this.where()}`);
    this.pos++;
  }

  private expectSym(v: string): void {
    if (!this.isSym(v)) throw sqlParseError(`Expected '${v}' ${this.where()}`);
    this.pos++;
  }

  private where(): string {
    const tok = this.peek();
    return tok ? `near '${String(tok.v)}'` : 'at the end of the statement';
  }

  parse(): ParsedRuleSql {
    this.expectWord('SELECT');
    const select: SelectItem[] = [];
    do {
      if (this.isSym('*')) {
        this.pos++;
        select.push({ kind: 'star' });
        continue;
      }
      const operand = this.operand();
      if (operand.kind === 'literal') throw sqlParseError(`Literals in SELECT need a field or function ${this.where()}`);
      let alias: string;
      if (this.isWord('AS')) {
        this.pos++;
        const tok = this.next();
        if (tok.t !== 'word') throw sqlParseError(`Expected an alias after AS, found '${String(tok.v)}'`);
        alias = tok.v;
      } else {
        alias = operand.kind === 'field' ? operand.path[operand.path.length - 1]! : operand.kind;
      }
      select.push({ kind: 'value', operand, alias });
    } while (this.isSym(',') && ++this.pos);
    this.expectWord('FROM');
    const from = this.next();
    if (from.t !== 'string') throw sqlParseError('FROM needs a quoted topic filter, e.g. FROM \'dt/+/telemetry\'');
    checkTopicFilter(from.v);
    const where: Comparison[] = [];
    if (this.isWord('WHERE')) {
      this.pos++;
      do {
        const left = this.operand();
        const opTok = this.next();
        if (opTok.t !== 'sym' || !['=', '<>', '<', '<=', '>', '>='].includes(opTok.v)) {
          throw sqlParseError(`Expected a comparison operator (=, <>, <, <=, >, >=), found '${String(opTok.v)}'`);
        }
        where.push({ left, op: opTok.v as ComparisonOp, right: this.operand() });
      } while (this.isWord('AND') && ++this.pos);
    }
    if (this.peek()) throw sqlParseError(`Unsupported SQL ${this.where()} (the fleet simulator supports SELECT … FROM '…' [WHERE a AND b])`);
    return { select, topicFilter: from.v, where };
  }

  private operand(): Operand {
    const tok = this.next();
    if (tok.t === 'string' || tok.t === 'number') return { kind: 'literal', value: tok.v };
    if (tok.t !== 'word') throw sqlParseError(`Unexpected '${String(tok.v)}'`);
    const lower = tok.v.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (this.isSym('(')) {
      this.pos++;
      if (lower === 'topic') {
        let level: number | undefined;
        if (!this.isSym(')')) {
          const n = this.next();
          if (n.t !== 'number' || !Number.isInteger(n.v) || n.v < 1) throw sqlParseError('topic() takes a level number starting at 1');
          level = n.v;
        }
        this.expectSym(')');
        return { kind: 'topic', level };
      }
      if (lower === 'timestamp' || lower === 'clientid') {
        this.expectSym(')');
        return { kind: lower };
      }
      throw sqlParseError(`Function ${tok.v}() is not supported by the fleet simulator (topic, timestamp, clientid are)`);
    }
    const path = [tok.v];
    while (this.isSym('.')) {
      this.pos++;
      const part = this.next();
      if (part.t !== 'word') throw sqlParseError(`Expected a field name after '.'`);
      path.push(part.v);
    }
    return { kind: 'field', path };
  }
}

export function parseRuleSql(sql: string): ParsedRuleSql {
  return new Parser(tokenize(sql)).parse();
}

function value(o: Operand, m: RuleMessage): Json | undefined {
  switch (o.kind) {
    case 'literal':
      return o.value;
    case 'timestamp':
      return m.timestampMs;
    case 'clientid':
      return m.clientId;
    case 'topic':
      return o.level === undefined ? m.topic : m.topic.split('/')[o.level - 1];
    case 'field': {
      let v: Json | undefined = m.payload;
      for (const key of o.path) v = isObject(v) ? v[key] : undefined;
      return v;
    }
  }
}

function compare(a: Json | undefined, op: ComparisonOp, b: Json | undefined): boolean {
  // A missing field makes the comparison Undefined, which a WHERE treats as false (AWS semantics).
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && Number.isFinite(Number(b))) b = Number(b);
  if (typeof b === 'number' && typeof a === 'string' && a.trim() !== '' && Number.isFinite(Number(a))) a = Number(a);
  if (op === '=') return typeof a === typeof b && a === b;
  if (op === '<>') return typeof a === typeof b && a !== b;
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

/** The rule's output for a message, or null when FROM or WHERE does not match. */
export function evaluateRule(rule: ParsedRuleSql, m: RuleMessage): JsonObject | null {
  if (!topicMatches(rule.topicFilter, m.topic)) return null;
  if (!rule.where.every((c) => compare(value(c.left, m), c.op, value(c.right, m)))) return null;
  const out: JsonObject = {};
  for (const item of rule.select) {
    if (item.kind === 'star') Object.assign(out, m.payload);
    else {
      const v = value(item.operand, m);
      if (v !== undefined) out[item.alias] = v;
    }
  }
  return out;
}
