// Parser and matcher for the fleet indexing query language (the Lucene subset AWS documents):
// field:value, quoted values, trailing/inner wildcards (* ?), ranges [a TO b] / {a TO b}, comparisons
// (< <= > >=), AND / OR / NOT / leading '-', parentheses, implicit AND, bare '*', free text.

import { SEARCH_MAX_QUERY_BYTES, SEARCH_MAX_TERMS } from './config';
import { invalidQuery } from './errors';

export type FieldValue = string | number | boolean;

type Matcher =
  | { type: 'exact'; value: string }
  | { type: 'wildcard'; regex: RegExp }
  | { type: 'exists' }
  | { type: 'range'; lo: string | null; hi: string | null; loInclusive: boolean; hiInclusive: boolean }
  | { type: 'compare'; op: '<' | '<=' | '>' | '>='; value: string };

export type QueryNode =
  | { kind: 'all' }
  | { kind: 'term'; field: string | null; matcher: Matcher }
  | { kind: 'and'; items: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode };

const FIELD_PATTERN = /^[A-Za-z_$][A-Za-z0-9_.$@-]*$/;

class Parser {
  private pos = 0;
  terms = 0;
  constructor(private readonly src: string) {}

  fail(message: string): never {
    throw invalidQuery(`Syntax error in query at position ${this.pos}: ${message}`);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private peekWord(): string {
    this.skipSpace();
    const m = /^[^\s()]+/.exec(this.src.slice(this.pos));
    return m?.[0] ?? '';
  }

  private atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.src.length;
  }

  parseQuery(): QueryNode {
    const node = this.parseOr();
    if (!this.atEnd()) this.fail(`unexpected '${this.src[this.pos]}'`);
    return node;
  }

  private parseOr(): QueryNode {
    const items = [this.parseAnd()];
    while (this.peekWord() === 'OR') {
      this.pos += 2;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private parseAnd(): QueryNode {
    const items = [this.parseUnary()];
    for (;;) {
      if (this.atEnd() || this.src[this.pos] === ')') break;
      const word = this.peekWord();
      if (word === 'OR') break;
      if (word === 'AND') this.pos += 3;
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private parseUnary(): QueryNode {
    this.skipSpace();
    if (this.peekWord() === 'NOT') {
      this.pos += 3;
      return { kind: 'not', item: this.parseUnary() };
    }
    if (this.src[this.pos] === '-') {
      this.pos++;
      return { kind: 'not', item: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): QueryNode {
    this.skipSpace();
    if (this.pos >= this.src.length) this.fail('expected a term');
    const c = this.src[this.pos];
    if (c === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.src[this.pos] !== ')') this.fail("missing ')'");
      this.pos++;
      return inner;
    }
    if (c === ')') this.fail("unexpected ')'");
    if (['AND', 'OR', 'NOT'].includes(this.peekWord())) this.fail(`'${this.peekWord()}' needs a term on both sides`);
    return this.parseTerm();
  }

  private parseTerm(): QueryNode {
    this.terms++;
    const start = this.pos;
    // Field name: up to ':' '<' '>' when what precedes is a valid field name.
    const m = /^([A-Za-z_$][A-Za-z0-9_.$@-]*)(:|<=|>=|<|>)/.exec(this.src.slice(this.pos));
    if (m && FIELD_PATTERN.test(m[1]!)) {
      const field = m[1]!;
      const op = m[2]!;
      this.pos += m[0].length;
      if (op !== ':') {
        const value = this.readValue();
        if (value.text === '' || value.wildcard) this.fail(`comparison on '${field}' needs a plain value`);
        return { kind: 'term', field, matcher: { type: 'compare', op: op as '<' | '<=' | '>' | '>=', value: value.text } };
      }
      const next = this.src[this.pos];
      if (next === '[' || next === '{') return { kind: 'term', field, matcher: this.readRange() };
      const value = this.readValue();
      if (value.text === '') this.fail(`missing value for field '${field}'`);
      return { kind: 'term', field, matcher: toMatcher(value, (msg) => this.fail(msg)) };
    }
    this.pos = start;
    const value = this.readValue();
    if (value.text === '') this.fail('expected a term');
    if (value.text === '*' && value.wildcard) {
      this.terms--;
      return { kind: 'all' };
    }
    return { kind: 'term', field: null, matcher: toMatcher(value, (msg) => this.fail(msg)) };
  }

  /** Reads a quoted or bare value; `wildcard` is true when an unescaped * or ? occurs. */
  private readValue(): { text: string; pattern: string; wildcard: boolean } {
    if (this.src[this.pos] === '"') {
      this.pos++;
      let text = '';
      while (this.pos < this.src.length && this.src[this.pos] !== '"') {
        if (this.src[this.pos] === '\\') this.pos++;
        text += this.src[this.pos] ?? '';
        this.pos++;
      }
      if (this.src[this.pos] !== '"') this.fail('unterminated quoted value');
      this.pos++;
      return { text, pattern: escapeRegex(text), wildcard: false };
    }
    let text = '';
    let pattern = '';
    let wildcard = false;
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (/\s/.test(ch) || ch === '(' || ch === ')') break;
      if (ch === '\\') {
        const escaped = this.src[this.pos + 1];
        if (escaped === undefined) this.fail('dangling escape character');
        text += escaped;
        pattern += escapeRegex(escaped);
        this.pos += 2;
        continue;
      }
      if (ch === '*' || ch === '?') {
        wildcard = true;
        pattern += ch === '*' ? '.*' : '.';
      } else pattern += escapeRegex(ch);
      text += ch;
      this.pos++;
    }
    return { text, pattern, wildcard };
  }

  private readRange(): Matcher {
    const open = this.src[this.pos];
    const close = this.src.slice(this.pos).search(/[\]}]/);
    if (close < 0) this.fail('unterminated range');
    const body = this.src.slice(this.pos + 1, this.pos + close);
    const closer = this.src[this.pos + close];
    const parts = body.trim().split(/\s+TO\s+/);
    if (parts.length !== 2 || !parts[0] || !parts[1]) this.fail("a range needs the form [low TO high]");
    this.pos += close + 1;
    const bound = (s: string) => (s === '*' ? null : s.replace(/^"|"$/g, ''));
    return {
      type: 'range',
      lo: bound(parts[0]!),
      hi: bound(parts[1]!),
      loInclusive: open === '[',
      hiInclusive: closer === ']',
    };
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function toMatcher(value: { text: string; pattern: string; wildcard: boolean }, fail: (m: string) => never): Matcher {
  if (!value.wildcard) return { type: 'exact', value: value.text };
  if (value.text === '*') return { type: 'exists' };
  if (value.text.startsWith('*') || value.text.startsWith('?')) fail(`leading wildcards are not supported ('${value.text}')`);
  return { type: 'wildcard', regex: new RegExp(`^${value.pattern}$`, 'is') };
}

export interface ParsedQuery {
  root: QueryNode;
  terms: number;
}

export function parseSearchQuery(query: string, maxTerms = SEARCH_MAX_TERMS): ParsedQuery {
  if (query.trim() === '') throw invalidQuery('queryString must not be empty');
  if (Buffer.byteLength(query) > SEARCH_MAX_QUERY_BYTES) {
    throw invalidQuery(`Query string exceeds the maximum length of ${SEARCH_MAX_QUERY_BYTES} bytes`);
  }
  const parser = new Parser(query);
  const root = parser.parseQuery();
  if (parser.terms > maxTerms) {
    throw invalidQuery(`Query has ${parser.terms} terms; the maximum number of terms in a query is ${maxTerms}`);
  }
  return { root, terms: parser.terms };
}

function asNumber(v: FieldValue | string | null): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Numeric when both sides are numbers, else case-insensitive string order. */
function compare(v: FieldValue, q: string): number {
  const a = asNumber(v);
  const b = asNumber(q);
  if (a !== null && b !== null && (typeof v === 'number' || typeof v === 'string')) return a - b;
  const sa = String(v).toLowerCase();
  const sb = q.toLowerCase();
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function matchValue(m: Matcher, v: FieldValue): boolean {
  switch (m.type) {
    case 'exists':
      return true;
    case 'exact': {
      if (typeof v === 'number') return asNumber(m.value) === v || String(v) === m.value;
      return String(v).toLowerCase() === m.value.toLowerCase();
    }
    case 'wildcard':
      return m.regex.test(String(v));
    case 'range': {
      if (m.lo !== null) {
        const c = compare(v, m.lo);
        if (m.loInclusive ? c < 0 : c <= 0) return false;
      }
      if (m.hi !== null) {
        const c = compare(v, m.hi);
        if (m.hiInclusive ? c > 0 : c >= 0) return false;
      }
      return true;
    }
    case 'compare': {
      const c = compare(v, m.value);
      return m.op === '<' ? c < 0 : m.op === '<=' ? c <= 0 : m.op === '>' ? c > 0 : c >= 0;
    }
  }
}

/** What a query needs from a thing: the indexed values of a field, and free-text candidates. */
export interface Searchable {
  values(field: string): FieldValue[];
  freeText(): FieldValue[];
}

export function matches(node: QueryNode, doc: Searchable): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.items.every((n) => matches(n, doc));
    case 'or':
      return node.items.some((n) => matches(n, doc));
    case 'not':
      return !matches(node.item, doc);
    case 'term': {
      const values = node.field === null ? doc.freeText() : doc.values(node.field);
      return values.some((v) => matchValue(node.matcher, v));
    }
  }
}
