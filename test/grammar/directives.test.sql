-- SYNTAX TEST "source.sql" "safesql comment directives"

-- safesql-ignore unbounded-delete, truncate -- cleanup of test data
-- <-- comment.line.double-dash.sql
-- ^^^^^^^^^^^^^^ comment.line.double-dash.sql keyword.control.directive.safesql
--                ^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql entity.name.tag.safesql
--                                           ^^ comment.line.double-dash.sql - entity.name.tag.safesql comment.line.reason.safesql
--                                              ^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql comment.line.reason.safesql

-- safesql-ignore-file drop-object -- migration, reviewed by ops
-- ^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql keyword.control.directive.safesql
--                     ^^^^^^^^^^^ comment.line.double-dash.sql entity.name.tag.safesql
--                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql comment.line.reason.safesql

-- safesql:connection prod-eu
-- ^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql keyword.control.directive.safesql
--                    ^^^^^^^ comment.line.double-dash.sql entity.name.tag.safesql

-- The connection name is the whole rest of the line (the server reads it that way): no reason.
-- safesql:connection staging -- not a reason
-- ^^^^^^^^^^^^^^^^^^ keyword.control.directive.safesql
--                    ^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql entity.name.tag.safesql - comment.line.reason.safesql

-- Without a space after `--`, and indented with spaces or a tab.
--safesql-ignore truncate
--^^^^^^^^^^^^^^ keyword.control.directive.safesql
--               ^^^^^^^^ entity.name.tag.safesql
    -- safesql-ignore truncate -- indented
--     ^^^^^^^^^^^^^^ keyword.control.directive.safesql
--                    ^^^^^^^^ entity.name.tag.safesql
--                                ^^^^^^^^ comment.line.reason.safesql
	-- safesql-ignore-file truncate
-- <~~~~------------------- keyword.control.directive.safesql
-- <- punctuation.whitespace.comment.leading.sql

-- At the end of a line, after SQL.
DELETE FROM audit_log; -- safesql-ignore unbounded-delete -- nightly purge
-- <------ keyword.other.DML.sql - comment.line.double-dash.sql
--                     ^^^ comment.line.double-dash.sql - keyword.control.directive.safesql
--                        ^^^^^^^^^^^^^^ comment.line.double-dash.sql keyword.control.directive.safesql
--                                       ^^^^^^^^^^^^^^^^ comment.line.double-dash.sql entity.name.tag.safesql
--                                                           ^^^^^^^^^^^^^ comment.line.double-dash.sql comment.line.reason.safesql
UPDATE t SET a = 1; -- safesql-ignore unbounded-update
--                     ^^^^^^^^^^^^^^ keyword.control.directive.safesql
--                                    ^^^^^^^^^^^^^^^^ entity.name.tag.safesql

-- Plain comments are not directives; the reader only looks at the start of a `--` comment.
-- a note about safesql-ignore truncate
-- <-- comment.line.double-dash.sql punctuation.definition.comment.sql
-- ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql entity.name.tag.safesql
-- note -- safesql-ignore truncate -- why
-- ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql entity.name.tag.safesql comment.line.reason.safesql
--- safesql-ignore truncate
-- ^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql entity.name.tag.safesql
-- safesql-ignored truncate
-- ^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql entity.name.tag.safesql
-- safesql:connection
-- ^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql
SELECT 1; -- see safesql:connection prod
--           ^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.control.directive.safesql entity.name.tag.safesql

-- Nor is directive-looking text in a block comment.
/* -- safesql-ignore truncate */
-- ^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.block - keyword.control.directive.safesql entity.name.tag.safesql
/*
-- safesql-ignore truncate -- why
-- <--------------------------------- comment.block - comment.line.double-dash.sql keyword.control.directive.safesql entity.name.tag.safesql
*/

-- Nor in a string literal or a quoted identifier.
SELECT 'x -- safesql-ignore y' AS a;
--     ^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.single.sql - comment.line.double-dash.sql keyword.control.directive.safesql entity.name.tag.safesql
--                             ^^ keyword.other.alias.sql
SELECT 'spans
-- safesql-ignore truncate -- why
-- <--------------------------------- string.quoted.single.sql - comment.line.double-dash.sql keyword.control.directive.safesql entity.name.tag.safesql
lines' AS b;
SELECT 1 AS "-- safesql:connection prod";
--          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.sql - keyword.control.directive.safesql entity.name.tag.safesql
