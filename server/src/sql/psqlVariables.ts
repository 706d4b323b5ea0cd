import { tokenize, type Token } from './lexer';

const MAY_HAVE_PSQL_SYNTAX = /:['"A-Za-z_\u0080-\uffff]|\\[;:]/;

/**
 * psql replaces `:name`, `:'name'` and `:"name"` with the variable's value before the server sees
 * the statement, and sends `\;` and `\:` without their backslash. For the grammar, the same text
 * with each variable turned into something of the same length and role: `:name` → `_name` (an
 * identifier, valid where a value or a name goes), `:'name'` → ` 'name'` (a string), `:"name"` →
 * ` "name"` (a quoted identifier), and each such backslash turned into a space. Offsets stay put.
 */
export function withPsqlVariablesReplaced(text: string, tokens?: () => Token[]): string {
  if (!MAY_HAVE_PSQL_SYNTAX.test(text)) return text;
  let result = '';
  let last = 0;
  for (const token of tokens ? tokens() : tokenize(text)) {
    if (token.type === 'psql-variable') {
      const quoted = text[token.start + 1] === "'" || text[token.start + 1] === '"';
      result += text.slice(last, token.start) + (quoted ? ' ' : '_');
      last = token.start + 1;
    } else if (token.type === 'punctuation' && isPsqlEscape(text, token)) {
      const backslash = text.charCodeAt(token.start) === 92 ? token.start : token.start - 1;
      result += text.slice(last, backslash) + ' ';
      last = backslash + 1;
    }
  }
  return result + text.slice(last);
}

/** psql's `\:` (a token with its backslash) or `\;` (the `;` after a backslash that belongs to no token). */
function isPsqlEscape(text: string, token: Token): boolean {
  return text.charCodeAt(token.start) === 92 || (token.start > 0 && text.charCodeAt(token.start - 1) === 92);
}
