import { QueryError, tokenize, type Token } from './tokens.js';

/**
 * Parser of the cluster query language into a small AST. Grammar (lowest precedence first):
 *
 *   expr       := and (('or' | '||') and)*
 *   and        := unary (('and' | '&&') unary)*
 *   unary      := ('not' | '!') unary | '(' expr ')' | comparison
 *   comparison := subject op value | subject ('in' | 'not_in' | '!in') list | subject ('exists' | 'not_exists' | '!exists')
 *   subject    := attribute:<name> | task:group | ec2InstanceId | registeredAt | runningTasksCount
 *                 | agentConnected | agentVersion | dockerVersion
 *   list       := '[' value (',' value)* ']'
 */
export type Subject =
  | { kind: 'attribute'; name: string }
  | { kind: 'taskGroup' }
  | { kind: 'field'; name: 'ec2InstanceId' | 'registeredAt' | 'runningTasksCount' | 'agentConnected' | 'agentVersion' | 'dockerVersion' };

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; subject: Subject; op: CompareOp; value: string }
  | { kind: 'in'; subject: Subject; negated: boolean; values: string[] }
  | { kind: 'exists'; subject: Subject; negated: boolean };

const WORD_OPS: Readonly<Record<string, CompareOp>> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  matches: '=~',
  not_matches: '!~',
};
const SYMBOL_OPS = new Set<string>(['==', '!=', '>', '>=', '<', '<=', '=~', '!~']);
const FIELDS = new Set(['ec2InstanceId', 'registeredAt', 'runningTasksCount', 'agentConnected', 'agentVersion', 'dockerVersion']);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Expr {
    if (this.tokens.length === 0) throw new QueryError('empty expression');
    const e = this.or();
    const rest = this.peek();
    if (rest) throw this.error(rest, `unexpected '${rest.text}'`);
    return e;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new QueryError(`expected ${what} at the end of '${this.source}'`);
    return t;
  }

  private isWord(t: Token | undefined, ...words: string[]): boolean {
    return t !== undefined && t.kind === 'word' && words.includes(t.text.toLowerCase());
  }

  private error(t: Token, message: string): QueryError {
    return new QueryError(`${message} at position ${t.at}`);
  }

  private or(): Expr {
    let left = this.and();
    for (let t = this.peek(); this.isWord(t, 'or') || t?.text === '||'; t = this.peek()) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.unary();
    for (let t = this.peek(); this.isWord(t, 'and') || t?.text === '&&'; t = this.peek()) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.next('an expression');
    if (this.isWord(t, 'not') || (t.kind === 'op' && t.text === '!')) return { kind: 'not', expr: this.unary() };
    if (t.kind === '(') {
      const e = this.or();
      const close = this.next("')'");
      if (close.kind !== ')') throw this.error(close, `expected ')' but found '${close.text}'`);
      return e;
    }
    return this.comparison(this.subject(t));
  }

  private subject(t: Token): Subject {
    if (t.kind !== 'word') throw this.error(t, `expected an attribute but found '${t.text}'`);
    if (t.text.startsWith('attribute:')) {
      const name = t.text.slice('attribute:'.length);
      if (name === '') throw this.error(t, 'attribute name missing');
      return { kind: 'attribute', name };
    }
    if (t.text === 'task:group') return { kind: 'taskGroup' };
    if (FIELDS.has(t.text)) return { kind: 'field', name: t.text as Extract<Subject, { kind: 'field' }>['name'] };
    throw this.error(t, `unknown attribute '${t.text}'`);
  }

  private comparison(subject: Subject): Expr {
    let t = this.next('an operator');
    let negated = false;
    if (t.kind === 'op' && t.text === '!') {
      negated = true;
      t = this.next("'in' or 'exists'");
      if (!this.isWord(t, 'in', 'exists')) throw this.error(t, `expected 'in' or 'exists' after '!'`);
    }
    const word = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (word === 'exists' || word === 'not_exists') return { kind: 'exists', subject, negated: negated || word === 'not_exists' };
    if (word === 'in' || word === 'not_in') return { kind: 'in', subject, negated: negated || word === 'not_in', values: this.list() };
    const op = t.kind === 'op' && SYMBOL_OPS.has(t.text) ? (t.text as CompareOp) : WORD_OPS[word];
    if (!op) throw this.error(t, `unknown operator '${t.text}'`);
    const value = this.value();
    if (op === '=~' || op === '!~') {
      try {
        new RegExp(value);
      } catch {
        throw this.error(t, `invalid pattern '${value}'`);
      }
    }
    return { kind: 'compare', subject, op, value };
  }

  private value(): string {
    const t = this.next('a value');
    if (t.kind !== 'word' && t.kind !== 'string') throw this.error(t, `expected a value but found '${t.text}'`);
    return t.text;
  }

  private list(): string[] {
    const open = this.next("'['");
    if (open.kind !== '[') throw this.error(open, `expected '[' but found '${open.text}'`);
    const values = [this.value()];
    for (;;) {
      const t = this.next("',' or ']'");
      if (t.kind === ']') return values;
      if (t.kind !== ',') throw this.error(t, `expected ',' or ']' but found '${t.text}'`);
      values.push(this.value());
    }
  }
}

/** Parses a memberOf expression; throws QueryError with the position of the problem. */
export function parseExpression(source: string): Expr {
  return new Parser(tokenize(source), source).parse();
}

/** True when the expression reads something that changes as tasks are placed (so it cannot be cached per instance). */
export function isDynamic(e: Expr): boolean {
  switch (e.kind) {
    case 'and':
    case 'or':
      return isDynamic(e.left) || isDynamic(e.right);
    case 'not':
      return isDynamic(e.expr);
    default:
      return e.subject.kind === 'taskGroup' || (e.subject.kind === 'field' && e.subject.name === 'runningTasksCount');
  }
}
