// pgpass (by pg's maintainers) ships no types: it looks a password up in ~/.pgpass or PGPASSFILE.
declare module 'pgpass' {
  interface PgPassLookup {
    host?: string;
    port?: string | number;
    database?: string;
    user?: string;
  }
  function pgpass(lookup: PgPassLookup, callback: (password: string | undefined) => void): void;
  export = pgpass;
}
