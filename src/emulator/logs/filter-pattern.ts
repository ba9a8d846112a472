/**
 * CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters, filter log
 * events"), compiled once into a predicate over a message. Three forms, as CloudWatch tells them apart:
 *
 *   unstructured   ERROR            every term must appear (case-sensitive)
 *                  "a phrase"       quoted: the exact text, spaces included
 *                  ?ERROR ?WARN     any of the `?` terms
 *                  ERROR -health    `-`: must not appear
 *                  %regex%          a regular expression
 *   JSON           { $.level = "error" && ($.ms > 100 || $.retry IS TRUE) }
 *                  selectors $.a.b, $.a[0], $.a[*]; = != < > <= >= (strings with * wildcards, numbers);
 *                  IS TRUE / IS FALSE / IS NULL, NOT EXISTS; && || and parentheses
 *   space-delimited [ip, user, ..., status = 4*, bytes > 1000]
 *                  fields split on spaces ("quoted" and [bracketed] fields are one), `...` any number of fields,
 *                  conditions on named fields joined with && and ||
 *
 * An empty pattern matches everything. A pattern that does not parse is an InvalidParameterException with
 * CloudWatch's "Invalid filter pattern" wording (thrown by the caller from `FilterPatternError`).
 */

export type MessagePredicate = (message: string) => boolean;

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

export function compileFilterPattern(pattern: string | undefined): MessagePredicate {
  const text = (pattern ?? '').trim();
  if (text === '' || text === '""') return () => true;
  if (text.startsWith('{')) return compileJson(text);
  if (text.startsWith('[')) return compileDelimited(text);
  return compileTerms(text);
}

/**
 * Text every matching message contains, for a store to narrow its scan before the predicate runs: the plain
 * terms of an unstructured pattern (not `?`, `-` or regex ones). Empty when the pattern promises no text.
 */
export function requiredSubstrings(pattern: string | undefined): string[] {
  const text = (pattern ?? '').trim();
  if (text === '' || text.startsWith('{') || text.startsWith('[')) return [];
  const out: string[] = [];
  // An optional ? or - and then a quoted phrase, a %regex% (spaces and all) or a bare word.
  for (const m of text.matchAll(/([?-]?)(?:"([^"]*)"|%[^%]*%|(\S+))/g)) {
    const word = m[2] ?? m[3];
    if (m[1] === '' && word !== undefined && word !== '') out.push(word);
  }
  return out;
}

// ---- unstructured terms ------------------------------------------------------------------------------------

interface Term {
  kind: 'all' | 'any' | 'none';
  match: (message: string) => boolean;
}

function compileTerms(text: string): MessagePredicate {
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    let kind: Term['kind'] = 'all';
    if (text[i] === '?') {
      kind = 'any';
      i++;
    } else if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== ' ') {
      kind = 'none';
      i++;
    }
    let word: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new FilterPatternError('unterminated quoted term');
      word = text.slice(i + 1, end);
      i = end + 1;
    } else if (text[i] === '%') {
      const end = text.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError('unterminated regular expression');
      const re = regex(text.slice(i + 1, end));
      i = end + 1;
      terms.push({ kind, match: (m) => re.test(m) });
      continue;
    } else {
      const end = text.indexOf(' ', i);
      word = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    const w = word;
    terms.push({ kind, match: (m) => m.includes(w) });
  }
  const all = terms.filter((t) => t.kind === 'all');
  const any = terms.filter((t) => t.kind === 'any');
  const none = terms.filter((t) => t.kind === 'none');
  return (m) => all.every((t) => t.match(m)) && (any.length === 0 || any.some((t) => t.match(m))) && !none.some((t) => t.match(m));
}

function regex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new FilterPatternError(`invalid regular expression %${source}%`);
  }
}

// ---- a small tokenizer shared by the JSON and space-delimited forms --------------------------------------------

type Token =
  | { t: 'op'; v: '=' | '!=' | '<' | '>' | '<=' | '>=' | '&&' | '||' | '(' | ')' | ',' }
  | { t: 'str'; v: string; quoted: boolean }
  | { t: 'num'; v: number }
  | { t: 'word'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '&&' || two === '||') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>' || c === '(' || c === ')' || c === ',') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j];
        j++;
      }
      if (j >= text.length) throw new FilterPatternError('unterminated string');
      out.push({ t: 'str', v: s, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t=!<>()&|,"'.includes(text[j]!)) j++;
    if (j === i) throw new FilterPatternError(`unexpected ${c}`);
    const word = text.slice(i, j);
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) out.push({ t: 'num', v: Number(word) });
    else out.push({ t: 'word', v: word });
    i = j;
  }
  return out;
}

type Comparison = '=' | '!=' | '<' | '>' | '<=' | '>=';
type Literal = { kind: 'num'; v: number } | { kind: 'str'; v: string };

/** = and != with strings take `*` wildcards; numbers compare as numbers (a string field that is a number too). */
function compare(actual: unknown, op: Comparison, lit: Literal): boolean {
  if (lit.kind === 'num') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case '=': return n === lit.v;
      case '!=': return n !== lit.v;
      case '<': return n < lit.v;
      case '>': return n > lit.v;
      case '<=': return n <= lit.v;
      case '>=': return n >= lit.v;
    }
  }
  if (op !== '=' && op !== '!=') return false;
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return op === '!=' && actual !== undefined;
  const text = String(actual);
  const equal = lit.v.includes('*') ? wildcard(lit.v).test(text) : text === lit.v;
  return op === '=' ? equal : !equal;
}

function wildcard(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/** A boolean expression of conditions with && binding tighter than ||, and parentheses. */
class Expressions<Ctx> {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly condition: (p: Expressions<Ctx>) => (ctx: Ctx) => boolean) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new FilterPatternError('unexpected end of pattern');
    return t;
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }

  expect(v: string): void {
    if (!this.isOp(v)) throw new FilterPatternError(`expected ${v}`);
    this.pos++;
  }

  or(): (ctx: Ctx) => boolean {
    const parts = [this.and()];
    while (this.isOp('||')) {
      this.pos++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : (ctx) => parts.some((p) => p(ctx));
  }

  private and(): (ctx: Ctx) => boolean {
    const parts = [this.primary()];
    while (this.isOp('&&')) {
      this.pos++;
      parts.push(this.primary());
    }
    return parts.length === 1 ? parts[0]! : (ctx) => parts.every((p) => p(ctx));
  }

  private primary(): (ctx: Ctx) => boolean {
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.condition(this);
  }

  comparison(): Comparison {
    const t = this.next();
    if (t.t !== 'op' || !['=', '!=', '<', '>', '<=', '>='].includes(t.v)) throw new FilterPatternError('expected a comparison operator');
    return t.v as Comparison;
  }

  literal(): Literal {
    const t = this.next();
    if (t.t === 'num') return { kind: 'num', v: t.v };
    if (t.t === 'str' || t.t === 'word') return { kind: 'str', v: t.v };
    throw new FilterPatternError('expected a value');
  }
}

// ---- JSON -----------------------------------------------------------------------------------------------------

type PathStep = { key: string } | { index: number } | { any: true };

function parseSelector(word: string): PathStep[] {
  if (!word.startsWith('$')) throw new FilterPatternError(`a JSON selector starts with $: ${word}`);
  const steps: PathStep[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < word.length) {
    const m = re.exec(word);
    if (!m) throw new FilterPatternError(`invalid JSON selector ${word}`);
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else steps.push(m[2] === '*' ? { any: true } : { index: Number(m[2]) });
  }
  return steps;
}

/** Every value the selector reaches ([*] fans out); none when a step is missing. */
function select(value: unknown, steps: readonly PathStep[]): unknown[] {
  let current: unknown[] = [value];
  for (const step of steps) {
    const nextValues: unknown[] = [];
    for (const v of current) {
      if ('key' in step) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, step.key)) nextValues.push((v as Record<string, unknown>)[step.key]);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) nextValues.push(v[step.index]);
      } else if (Array.isArray(v)) nextValues.push(...v);
    }
    current = nextValues;
  }
  return current;
}

function compileJson(text: string): MessagePredicate {
  if (!text.endsWith('}')) throw new FilterPatternError('a JSON pattern ends with }');
  const parser = new Expressions<unknown>(tokenize(text.slice(1, -1)), (p) => {
    const sel = p.next();
    if (sel.t !== 'word') throw new FilterPatternError('expected a JSON selector');
    const steps = parseSelector(sel.v);
    const next = p.peek();
    if (next?.t === 'word' && (next.v === 'IS' || next.v === 'NOT')) {
      p.next();
      const what = p.next();
      if (next.v === 'NOT') {
        if (what.t !== 'word' || what.v !== 'EXISTS') throw new FilterPatternError('expected NOT EXISTS');
        return (doc) => select(doc, steps).length === 0;
      }
      if (what.t !== 'word' || !['TRUE', 'FALSE', 'NULL'].includes(what.v)) throw new FilterPatternError('expected IS TRUE, IS FALSE or IS NULL');
      const want = what.v === 'TRUE' ? true : what.v === 'FALSE' ? false : null;
      return (doc) => select(doc, steps).some((v) => v === want);
    }
    const op = p.comparison();
    const lit = p.literal();
    return (doc) => select(doc, steps).some((v) => compare(v, op, lit));
  });
  const predicate = parser.or();
  if (!parser.atEnd()) throw new FilterPatternError('unexpected text after the expression');
  return (message) => {
    const trimmed = message.trimStart();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return predicate(doc);
  };
}

// ---- space-delimited ------------------------------------------------------------------------------------------

/** A message's fields: split on spaces, with "quoted" and [bracketed] runs kept whole (without their marks). */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    if (message[i] === ' ') {
      i++;
      continue;
    }
    const open = message[i];
    const close = open === '"' ? '"' : open === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const end = message.indexOf(' ', i);
    out.push(message.slice(i, end < 0 ? message.length : end));
    i = end < 0 ? message.length : end;
  }
  return out;
}

function compileDelimited(text: string): MessagePredicate {
  if (!text.endsWith(']')) throw new FilterPatternError('a space-delimited pattern ends with ]');
  const tokens = tokenize(text.slice(1, -1));
  // Field declarations are separated by commas; each is a name (or `...`), optionally followed by conditions.
  const names: string[] = [];
  const conditions: ((fields: Record<string, string>) => boolean)[] = [];
  let start = 0;
  const declarations: Token[][] = [];
  let depth = 0;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t?.t === 'op' && t.v === '(') depth++;
    if (t?.t === 'op' && t.v === ')') depth--;
    if (i === tokens.length || (t?.t === 'op' && t.v === ',' && depth === 0)) {
      declarations.push(tokens.slice(start, i));
      start = i + 1;
    }
  }
  for (const decl of declarations) {
    const head = decl[0];
    if (!head || head.t !== 'word') throw new FilterPatternError('expected a field name');
    names.push(head.v);
    if (decl.length === 1) continue;
    if (head.v === '...') throw new FilterPatternError('... takes no condition');
    const field = head.v;
    // `status = 4*` or `status = 404 || status = 500`: the field name may be repeated inside its conditions.
    const parser = new Expressions<Record<string, string>>(decl.slice(1), (p) => {
      const t = p.peek();
      let name = field;
      if (t?.t === 'word' && t.v === field) {
        p.next();
        name = t.v;
      }
      const op = p.comparison();
      const lit = p.literal();
      return (fields) => compare(fields[name], op, lit);
    });
    const predicate = parser.or();
    if (!parser.atEnd()) throw new FilterPatternError(`unexpected text in the condition on ${field}`);
    conditions.push(predicate);
  }
  return (message) => {
    const fields = bindFields(names, splitFields(message));
    return fields !== undefined && conditions.every((c) => c(fields));
  };
}

/** Names -> values; `...` absorbs as many fields as needed (none or more); undefined when the counts cannot match. */
function bindFields(names: readonly string[], values: readonly string[]): Record<string, string> | undefined {
  const ellipses = names.filter((n) => n === '...').length;
  const fixed = names.length - ellipses;
  if (ellipses === 0 ? values.length !== fixed : values.length < fixed) return undefined;
  const out: Record<string, string> = {};
  let spare = values.length - fixed;
  let v = 0;
  for (const name of names) {
    if (name === '...') {
      // The first ellipsis takes all the spare fields; later ones take none.
      v += spare;
      spare = 0;
      continue;
    }
    out[name] = values[v++]!;
  }
  return out;
}
