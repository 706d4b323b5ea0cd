import { ruleFixtures } from '../helpers/lint';

ruleFixtures('unbounded-delete', {
  flagged: [
    { sql: 'DELETE FROM orders;', marked: 'DELETE FROM orders' },
    { sql: 'DELETE FROM orders WHERE 1 = 1;', marked: 'WHERE 1 = 1' },
  ],
  ok: ['DELETE FROM orders WHERE id = 1;'],
});
