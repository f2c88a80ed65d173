/**
 * Parses `--where` text into a syntax tree (ast.ts). The language is SQL's: `col = lit`, `!=`
 * or `<>`, `<`, `<=`, `>`, `>=`, `col [NOT] IN (lit, ...)`, `col [NOT] BETWEEN lit AND lit`,
 * `col IS [NOT] NULL`, `AND`, `OR`, `NOT` and parentheses, with SQL's precedence (NOT binds
 * tighter than AND, AND tighter than OR). Columns are names or `"quoted names"`, with `.`
 * into struct fields. Literals: integers and decimals (exact, optionally signed), `'strings'`
 * (`''` is a quote), `true`, `false`, `NULL`, `DATE 'YYYY-MM-DD'`, `TIMESTAMP '...'`.
 * A literal may stand on either side of a comparison.
 */
import { PredicateError, type ColumnRef, type CompareOp, type Expr, type Literal } from './ast';

type Token =
  | { t: 'ident'; v: string; quoted: boolean; at: number }
  | { t: 'number'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; v: ''; at: number };

const OPS = ['<=', '>=', '<>', '!=', '=', '<', '>', '(', ')', ',', '.', '-', '+'];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const at = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i] as string)) i++;
      out.push({ t: 'ident', v: text.slice(at, i), quoted: false, at });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9]/.test(text[i] as string)) i++;
      if (text[i] === '.') { i++; while (i < text.length && /[0-9]/.test(text[i] as string)) i++; }
      if (/[A-Za-z_]/.test(text[i] ?? '')) throw new PredicateError(`--where: at character ${at + 1}: "${text.slice(at, i + 1)}" is not a number (exponents are not read: write the digits)`);
      out.push({ t: 'number', v: text.slice(at, i), at });
    } else if (c === '\'' || c === '"' || c === '`') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new PredicateError(`--where: the ${c === '\'' ? 'string' : 'quoted name'} opened at character ${at + 1} is not closed (write ${c}${c} for a ${c} inside it)`);
        if (text[i] === c) {
          if (text[i + 1] === c) { v += c; i += 2; continue; }
          i++;
          break;
        }
        v += text[i];
        i++;
      }
      out.push(c === '\'' ? { t: 'string', v, at } : { t: 'ident', v, quoted: true, at });
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (!op) throw new PredicateError(`--where: at character ${at + 1}: unexpected "${c}"`);
      out.push({ t: 'op', v: op, at });
      i += op.length;
    }
  }
  out.push({ t: 'end', v: '', at: text.length });
  return out;
}

/** Parses a predicate; a syntax error names the character where it is and what was expected. */
export function parsePredicate(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos] as Token;
  const next = () => tokens[pos++] as Token;
  const describe = (t: Token) => (t.t === 'end' ? 'the end' : t.t === 'string' ? `'${t.v}'` : `"${t.v}"`);
  const fail = (what: string, t: Token = peek()): never => {
    throw new PredicateError(`--where: at character ${t.at + 1}: expected ${what}, found ${describe(t)}`);
  };
  const isWord = (t: Token, w: string) => t.t === 'ident' && !t.quoted && t.v.toUpperCase() === w;
  const word = (w: string) => (isWord(peek(), w) ? (pos++, true) : false);
  const op = (o: string) => (peek().t === 'op' && peek().v === o ? (pos++, true) : false);
  const expectOp = (o: string) => { if (!op(o)) fail(`"${o}"`); };

  const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE', 'DATE', 'TIMESTAMP', 'BETWEEN']);

  function literal(): Literal | undefined {
    const t = peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      const n = tokens[pos + 1] as Token;
      if (n.t !== 'number') return fail('a number after the sign', n);
      pos += 2;
      return numberLiteral(`${t.v}${n.v}`);
    }
    if (t.t === 'number') { pos++; return numberLiteral(t.v); }
    if (t.t === 'string') { pos++; return { kind: 'string', value: t.v, text: `'${t.v.replace(/'/g, '\'\'')}'` }; }
    if (isWord(t, 'TRUE') || isWord(t, 'FALSE')) { pos++; return { kind: 'boolean', value: isWord(t, 'TRUE'), text: t.v }; }
    if (isWord(t, 'NULL')) { pos++; return { kind: 'null', text: 'NULL' }; }
    if (isWord(t, 'DATE') || isWord(t, 'TIMESTAMP')) {
      const s = tokens[pos + 1] as Token;
      if (s.t !== 'string') return undefined; // a column named date
      pos += 2;
      const kind = isWord(t, 'DATE') ? 'date' : 'timestamp';
      return { kind, value: s.v, text: `${kind.toUpperCase()} '${s.v}'` };
    }
    return undefined;
  }

  function column(): ColumnRef | undefined {
    const t = peek();
    if (t.t !== 'ident' || (!t.quoted && KEYWORDS.has(t.v.toUpperCase()) && !((isWord(t, 'DATE') || isWord(t, 'TIMESTAMP'))))) return undefined;
    pos++;
    const path = [t.v];
    while (op('.')) {
      const f = next();
      if (f.t !== 'ident') fail('a field name after "."', f);
      path.push(f.v);
    }
    return { path, text: path.map((p) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.') };
  }

  function literalList(): Literal[] {
    expectOp('(');
    const list: Literal[] = [];
    do list.push(literal() ?? fail('a literal')); while (op(','));
    expectOp(')');
    return list;
  }

  function comparison(): Expr {
    if (op('(')) {
      const inner = orExpr();
      expectOp(')');
      return inner;
    }
    const lit = literal();
    if (lit) {
      const o = compareOp() ?? fail('a comparison operator after the literal');
      const col = column() ?? fail('a column (a comparison has a column on one side and a literal on the other)');
      return { kind: 'compare', op: flip(o), column: col, literal: lit };
    }
    const col = column() ?? fail('a column, a literal or "("');
    if (word('IS')) {
      const negated = word('NOT');
      if (!word('NULL')) fail('NULL after IS');
      return { kind: 'isNull', column: col, negated };
    }
    const negated = word('NOT');
    if (word('IN')) {
      const e: Expr = { kind: 'in', column: col, literals: literalList() };
      return negated ? { kind: 'not', expr: e } : e;
    }
    if (word('BETWEEN')) {
      const low = literal() ?? fail('a literal after BETWEEN');
      if (!word('AND')) fail('AND in BETWEEN ... AND ...');
      const high = literal() ?? fail('a literal after AND');
      const e: Expr = { kind: 'and', left: { kind: 'compare', op: '>=', column: col, literal: low }, right: { kind: 'compare', op: '<=', column: col, literal: high } };
      return negated ? { kind: 'not', expr: e } : e;
    }
    if (negated) fail('IN or BETWEEN after NOT');
    const o = compareOp() ?? fail('a comparison operator (=, !=, <>, <, <=, >, >=), IN, BETWEEN or IS');
    const lit2 = literal() ?? (column() ? fail('a literal (comparing two columns is not supported)', tokens[pos - 1]) : fail('a literal'));
    return { kind: 'compare', op: o, column: col, literal: lit2 };
  }

  function compareOp(): CompareOp | undefined {
    const t = peek();
    if (t.t !== 'op' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.v)) return undefined;
    pos++;
    return (t.v === '<>' ? '!=' : t.v) as CompareOp;
  }

  function notExpr(): Expr {
    if (word('NOT')) return { kind: 'not', expr: notExpr() };
    return comparison();
  }

  function andExpr(): Expr {
    let left = notExpr();
    while (word('AND')) left = { kind: 'and', left, right: notExpr() };
    return left;
  }

  function orExpr(): Expr {
    let left = andExpr();
    while (word('OR')) left = { kind: 'or', left, right: andExpr() };
    return left;
  }

  if (peek().t === 'end') throw new PredicateError('--where: the predicate is empty');
  const expr = orExpr();
  if (peek().t !== 'end') fail('AND, OR or the end');
  return expr;
}

/** `lit op col` as `col op' lit`. */
function flip(op: CompareOp): CompareOp {
  switch (op) {
    case '<': return '>';
    case '<=': return '>=';
    case '>': return '<';
    case '>=': return '<=';
    default: return op;
  }
}

function numberLiteral(text: string): Literal {
  const negative = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  const dot = body.indexOf('.');
  if (dot < 0) return { kind: 'integer', value: BigInt(text), text };
  const fraction = body.slice(dot + 1);
  const unscaled = BigInt(`${body.slice(0, dot) || '0'}${fraction}` || '0');
  return { kind: 'decimal', unscaled: negative ? -unscaled : unscaled, scale: fraction.length, text };
}
