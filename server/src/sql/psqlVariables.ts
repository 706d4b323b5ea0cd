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
    } else if (token.type === 'punctuation' && token.start > 0 && text.charCodeAt(token.start - 1) === 92 /* \ */) {
      // Only psql's `\;` and `\:` leave a backslash outside every token right before a `;` or `:`.
      result += text.slice(last, token.start - 1) + ' ';
      last = token.start;
    }
  }
  return result + text.slice(last);
}
