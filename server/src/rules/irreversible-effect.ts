import { ruleDocsUrl } from '../protocol';
import type { OutsideEffectKind } from '../sql/statement';
import { NO_REPORTS, type Rule } from './types';

const SUPPRESS = 'If it is intended, say so: `-- safesql-ignore irreversible-effect -- <reason>`.';

const HELP: Record<OutsideEffectKind, string> = {
  program: `Run it deliberately, outside a preview, once you know what the program does; to read or write a file on your own machine, use psql's \\copy. ${SUPPRESS}`,
  file: `Run it deliberately, outside a preview, once you know which file it writes; to write a file on your own machine, use psql's \\copy. ${SUPPRESS}`,
  'other-session': `Run it deliberately, outside a preview: what another session or server does is not part of this transaction. ${SUPPRESS}`,
  server: `Run it deliberately, as the administrative action it is, outside a preview. ${SUPPRESS}`,
  'session-lock': `Use the transaction-level variant (pg_advisory_xact_lock, pg_try_advisory_xact_lock), which the rollback releases. ${SUPPRESS}`,
  foreign: `Run it deliberately, outside a preview: the foreign server commits on its own. ${SUPPRESS}`,
  sequence:
    'Nothing to do if gaps in the numbers are fine (a sequence never promises gap-free values). If the exact value matters, set it deliberately with setval after the real run.',
};

export const irreversibleEffect: Rule = {
  id: 'irreversible-effect',
  defaultSeverity: 'warning',
  description:
    'Effects a rollback does not undo: COPY … PROGRAM, COPY … TO a server file, dblink, ending other sessions, server administration functions, session-level advisory locks, and (as info) sequence changes.',
  docsUrl: ruleDocsUrl('irreversible-effect'),
  check(statement) {
    if (statement.outsideEffects.length === 0) return NO_REPORTS;
    return statement.outsideEffects.map((effect) =>
      effect.kind === 'sequence'
        ? {
            message: `${effect.what} ${effect.reason}, and sequences are not rolled back: a preview moves it too.`,
            help: HELP.sequence,
            span: effect.span,
            atMost: 'info' as const,
          }
        : {
            message: `A preview cannot take this back: ${effect.what} ${effect.reason} even inside a transaction that is rolled back.`,
            help: HELP[effect.kind],
            span: effect.span,
          },
    );
  },
};
