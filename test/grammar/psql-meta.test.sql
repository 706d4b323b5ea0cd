-- SYNTAX TEST "source.sql" "psql meta-commands"

\set limit 100
-- <---- keyword.other.psql-meta.safesql
--  ^^^^^^^^^^ string.unquoted.psql-argument.safesql - keyword.other.psql-meta.safesql
\i migrations/001_init.sql
-- <-- keyword.other.psql-meta.safesql
-- ^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.psql-argument.safesql
\copy users (id, name) from 'users.csv' with (format csv)
-- <----- keyword.other.psql-meta.safesql
--   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.psql-argument.safesql - string.quoted.single.sql keyword.other.DML.sql
\echo done -- not a comment in psql
-- <----- keyword.other.psql-meta.safesql
--   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.psql-argument.safesql - comment.line.double-dash.sql
\gset
-- <----- keyword.other.psql-meta.safesql

-- Leading spaces or a tab.
   \i seed.sql
-- <--- - keyword.other.psql-meta.safesql
-- ^^ keyword.other.psql-meta.safesql
--   ^^^^^^^^^ string.unquoted.psql-argument.safesql
	\echo tabbed
-- <~----- keyword.other.psql-meta.safesql

-- The name runs to a space or backslash, as psql reads it.
\lo_import '/tmp/blob'
-- <---------- keyword.other.psql-meta.safesql
--         ^^^^^^^^^^^^ string.unquoted.psql-argument.safesql
\d+ users
-- <--- keyword.other.psql-meta.safesql
--  ^^^^^^ string.unquoted.psql-argument.safesql
\!
-- <-- keyword.other.psql-meta.safesql

-- After a query on the same line: psql runs the query, then the meta-command.
SELECT count(*) AS n FROM users \gset
-- <------ keyword.other.DML.sql - keyword.other.psql-meta.safesql
--                              ^^^^^ keyword.other.psql-meta.safesql
SELECT 1 \g out.txt
--       ^^ keyword.other.psql-meta.safesql
--         ^^^^^^^^ string.unquoted.psql-argument.safesql

-- `\;` and `\:` put a literal `;` or `:` into the query; they are not meta-commands.
SELECT 1 \; SELECT 2;
--       ^^ - keyword.other.psql-meta.safesql
--          ^^^^^^ keyword.other.DML.sql - string.unquoted.psql-argument.safesql

-- A backslash in a string literal, a quoted identifier or a comment is not a meta-command.
SELECT E'\n', 'C:\dir', "odd\name" FROM t;
--      ^^^^ string.quoted.single.sql - keyword.other.psql-meta.safesql
--            ^^^^^^^^ string.quoted.single.sql - keyword.other.psql-meta.safesql
--                      ^^^^^^^^^^ string.quoted.double.sql - keyword.other.psql-meta.safesql
--                                 ^^^^ keyword.other.DML.sql - string.unquoted.psql-argument.safesql
SELECT 'first line
\i not-a-command.sql
-- <-------------------- string.quoted.single.sql - keyword.other.psql-meta.safesql string.unquoted.psql-argument.safesql
' AS multi;
SELECT 1; -- then \gset
--                ^^^^^ comment.line.double-dash.sql - keyword.other.psql-meta.safesql
/* \i in-a-comment.sql */
-- ^^^^^^^^^^^^^^^^^^^^ comment.block - keyword.other.psql-meta.safesql string.unquoted.psql-argument.safesql
