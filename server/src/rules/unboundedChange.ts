import type { RowChange, Statement } from '../sql/statement';
import { NO_REPORTS, type Report } from './types';

/** Reports for the DELETEs or UPDATEs of a statement whose reach is the whole table. */
export function unboundedChanges(statement: Statement, command: RowChange['command']): readonly Report[] {
  if (statement.rowChanges.length === 0) return NO_REPORTS;
  return statement.rowChanges.filter((change) => change.command === command && !change.reach.bounded).map((change) => report(change));
}

function report(change: RowChange): Report {
  const verb = change.command === 'delete' ? 'deletes' : 'updates';
  const command = change.command.toUpperCase();
  const where = change.inCte ? `${command} in a WITH clause` : command;
  const table = `"${change.target}"`;
  const rows = change.command === 'delete' ? 'delete' : 'change';
  const onPurpose = change.command === 'delete' ? 'To empty a table on purpose' : 'To change every row on purpose';
  const suppress = `${onPurpose}, say so: \`-- safesql-ignore ${change.command === 'delete' ? 'unbounded-delete' : 'unbounded-update'} -- <reason>\`.`;
  const help = `Add a WHERE clause that names exactly the rows to ${rows}, and check the row count before committing. ${suppress}`;
  switch (change.reach.bounded ? 'bounded' : change.reach.reason) {
    case 'no-where':
      return { message: `${where} on ${table} has no WHERE clause: it ${verb} every row of the table.`, help, span: change.span };
    case 'always-true':
      return {
        message: `The WHERE clause of this ${where} is always true: it ${verb} every row of ${table}.`,
        help,
        span: change.whereSpan ?? change.span,
      };
    case 'unrelated-join':
      return {
        message: `The WHERE clause of this ${where} never restricts ${table} itself: the join to the ${change.command === 'delete' ? 'USING' : 'FROM'} tables is a cross join, so as soon as any of their rows match it ${verb} every row of ${table}.`,
        help: `Add the join condition that ties each row of ${table} to its rows in the other tables (e.g. \`${change.target}.<column> = <other table>.<column>\`), and check the row count before committing. ${suppress}`,
        span: change.whereSpan ?? change.span,
      };
    default:
      return {
        message: `The WHERE clause of this ${where} does not depend on the rows of ${table}: it ${verb} either every row or none.`,
        help,
        span: change.whereSpan ?? change.span,
      };
  }
}
