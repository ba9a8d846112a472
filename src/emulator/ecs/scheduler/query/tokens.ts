/**
 * Tokenizer of the ECS cluster query language (memberOf expressions), e.g.
 *   attribute:ecs.instance-type =~ t2.* and not(task:group == service:db or runningTasksCount > 3)
 * Words run until whitespace or a punctuation/operator character, so values such as `us-east-1a`,
 * `2018-08-27T00:00:00Z` and `service:web` stay one token. Quoted strings ('...' or "...") may hold anything.
 */
export type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | '[' | ']' | ',';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the expression, for error messages. */
  at: number;
}

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Longest first, so `>=` wins over `>`. */
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '&&', '||', '>', '<', '!'] as const;
const PUNCT = new Set(['(', ')', '[', ']', ',']);
const WORD_STOP = /[\s()[\],=!<>&|'"~]/;

export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (PUNCT.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, at: i });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = expr.indexOf(ch, i + 1);
      if (end < 0) throw new QueryError(`unterminated string at position ${i}`);
      tokens.push({ kind: 'string', text: expr.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    let j = i;
    while (j < expr.length && !WORD_STOP.test(expr[j]!)) j++;
    if (j === i) throw new QueryError(`unexpected character '${ch}' at position ${i}`);
    tokens.push({ kind: 'word', text: expr.slice(i, j), at: i });
    i = j;
  }
  return tokens;
}
