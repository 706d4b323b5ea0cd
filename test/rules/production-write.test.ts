import type { ConnectionSetting, LintSettings } from '../../server/src/config/settings';
import { ruleFixtures } from '../helpers/lint';

const withConnections = (...connections: ConnectionSetting[]): LintSettings => ({ rules: {}, connections });
const bound = (name: string, body: string): string => `-- safesql:connection ${name}\n${body}`;

const PRODUCTION = withConnections({ name: 'main', environment: 'production', host: 'db.example.com', database: 'shop' });
const UPDATE = "UPDATE orders SET status = 'paid' WHERE id = 1;";

ruleFixtures('production-write', {
  flagged: [
    { sql: bound('main', UPDATE), settings: PRODUCTION, marked: UPDATE },
    { sql: bound('main', "INSERT INTO orders (id, status) VALUES (1, 'new');"), settings: PRODUCTION },
    { sql: bound('main', 'DELETE FROM customers WHERE id = 7;'), settings: PRODUCTION },
    { sql: bound('main', 'TRUNCATE events;'), settings: PRODUCTION },
    { sql: bound('main', 'DROP TABLE events;'), settings: PRODUCTION },
    { sql: bound('main', 'ALTER TABLE orders ADD COLUMN note text;'), settings: PRODUCTION },
    { sql: bound('main', 'COPY orders FROM stdin;\n1\tnew\n\\.\n'), settings: PRODUCTION },
    {
      sql: bound('main', 'MERGE INTO orders o USING staged s ON o.id = s.id WHEN MATCHED THEN UPDATE SET status = s.status;'),
      settings: PRODUCTION,
    },
    { sql: bound('main', 'EXPLAIN ANALYZE DELETE FROM events WHERE id = 1;'), settings: PRODUCTION },
    // Still a production write inside a transaction.
    { sql: bound('main', `BEGIN;\n${UPDATE}\nCOMMIT;`), settings: PRODUCTION, marked: UPDATE },
    // The directive may sit anywhere in the file, and the file may have CRLF line ends.
    { sql: `${UPDATE}\n-- safesql:connection main\n`, settings: PRODUCTION, marked: UPDATE },
    { sql: `-- safesql:connection main\r\n${UPDATE}\r\n`, settings: PRODUCTION, marked: UPDATE },
    // No environment, or an unknown one, counts as production.
    { sql: bound('main', UPDATE), settings: withConnections({ name: 'main', host: 'db.example.com' }) },
    { sql: bound('main', UPDATE), settings: withConnections({ name: 'main', environment: 'qa' }) },
    // Labelled non-production, but the name, host or database looks like production.
    { sql: bound('orders-prod', UPDATE), settings: withConnections({ name: 'orders-prod', environment: 'development' }) },
    {
      sql: bound('reporting', UPDATE),
      settings: withConnections({ name: 'reporting', environment: 'staging', host: 'db.prd.example.com' }),
    },
    { sql: bound('live-db', UPDATE), settings: withConnections({ name: 'live-db', environment: 'development' }) },
    { sql: bound('shop', UPDATE), settings: withConnections({ name: 'shop', environment: 'local', database: 'shop_production' }) },
    { sql: bound('replica', UPDATE), settings: withConnections({ name: 'replica', environment: 'staging', host: 'PROD-db.internal' }) },
    // A connection name that is not configured at all.
    { sql: bound('reporting', UPDATE), settings: withConnections({ name: 'main', environment: 'development' }) },
    { sql: bound('main', UPDATE) },
    // Bound by the editor, with no directive.
    { sql: UPDATE, editorConnection: { name: 'main', environment: 'production' }, marked: UPDATE },
    { sql: UPDATE, editorConnection: { name: 'main' } },
    { sql: UPDATE, editorConnection: { name: 'orders-prod', environment: 'development' } },
    // A directive in the file overrides the editor connection.
    { sql: bound('main', UPDATE), settings: PRODUCTION, editorConnection: { name: 'dev-db', environment: 'development' } },
  ],
  ok: [
    { sql: bound('dev-db', UPDATE), settings: withConnections({ name: 'dev-db', environment: 'development', host: 'localhost' }) },
    {
      sql: bound('staging', UPDATE),
      settings: withConnections({ name: 'staging', environment: 'staging', host: 'db.staging.example.com' }),
    },
    { sql: bound('laptop', 'DROP TABLE events;'), settings: withConnections({ name: 'laptop', environment: 'local', host: '127.0.0.1' }) },
    // 'productivity', 'reproduce' and 'delivery' are not the words prod or live.
    { sql: bound('productivity-dev', UPDATE), settings: withConnections({ name: 'productivity-dev', environment: 'development' }) },
    { sql: bound('qa', UPDATE), settings: withConnections({ name: 'qa', environment: 'staging', host: 'reproduce.internal' }) },
    {
      sql: bound('delivery-dev', UPDATE),
      settings: withConnections({ name: 'delivery-dev', environment: 'development', database: 'products' }),
    },
    // No binding at all.
    UPDATE,
    { sql: UPDATE, settings: PRODUCTION },
    // Read-only statements on production.
    { sql: bound('main', 'SELECT * FROM orders WHERE id = 1;'), settings: PRODUCTION },
    { sql: bound('main', 'EXPLAIN DELETE FROM orders WHERE id = 1;'), settings: PRODUCTION },
    { sql: bound('main', 'SHOW search_path;'), settings: PRODUCTION },
    { sql: bound('main', 'SET statement_timeout = 5000;'), settings: PRODUCTION },
    { sql: bound('main', 'BEGIN;\nSELECT 1;\nCOMMIT;'), settings: PRODUCTION },
    { sql: bound('main', 'COPY orders TO stdout;'), settings: PRODUCTION },
    { sql: bound('main', "SELECT 'DELETE FROM orders' AS hint;"), settings: PRODUCTION },
    { sql: 'SELECT count(*) FROM orders;', editorConnection: { name: 'main', environment: 'production' } },
    // Editor connections that are not production.
    { sql: UPDATE, editorConnection: { name: 'dev-db', environment: 'development' } },
    { sql: UPDATE, editorConnection: { name: 'local', environment: 'local', host: 'localhost' } },
    // A directive in the file overrides the editor connection.
    {
      sql: bound('dev-db', UPDATE),
      settings: withConnections({ name: 'dev-db', environment: 'development' }),
      editorConnection: { name: 'main', environment: 'production' },
    },
    // The rule turned off.
    { sql: bound('main', UPDATE), settings: { rules: { 'production-write': 'off' }, connections: PRODUCTION.connections } },
  ],
});
