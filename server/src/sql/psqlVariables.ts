import { tokenize, type Token } from './lexer';

const MAY_HAVE_VARIABLES = /:['"A-Za-z_\u0080-\uffff]/;

/**
 * psql replaces `:name`, `:'name'` and `:"name"` with the variable's value before the server sees
 * the statement. For the grammar, the same text with each variable turned into something of the
 * same length and role: `:name` → `_name` (an identifier, valid where a value or a name goes),
 * `:'name'` → ` 'name'` (a string), `:"name"` → ` "name"` (a quoted identifier). Offsets stay put.
 */
export function withPsqlVariablesReplaced(text: string, tokens?: () => Token[]): string {
  if (!MAY_HAVE_VARIABLES.test(text)) return text;
  const variables = (tokens ? tokens() : tokenize(text)).filter((t) => t.type === 'psql-variable');
  if (variables.length === 0) return text;
  let result = '';
  let last = 0;
  for (const variable of variables) {
    const quoted = text[variable.start + 1] === "'" || text[variable.start + 1] === '"';
    result += text.slice(last, variable.start) + (quoted ? ' ' : '_');
    last = variable.start + 1;
  }
  return result + text.slice(last);
}
