export const UNTRUSTED_REASON =
  'This workspace is not trusted, so safesql runs nothing against a database here (it still checks the SQL). Trust the workspace to preview and commit.';
