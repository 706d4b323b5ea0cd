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

// Its helpers, to read the file the way it does when PGPASSWORD is set but empty (which it skips).
declare module 'pgpass/lib/helper.js' {
  import type { Readable } from 'node:stream';
  export function getFileName(env?: NodeJS.ProcessEnv): string;
  export function getPassword(
    lookup: { host?: string; port?: string | number; database?: string; user?: string },
    stream: Readable,
    callback: (password: string | undefined) => void,
  ): void;
}
