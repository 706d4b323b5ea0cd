import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PRODUCT } from '../protocol';
import type { LintSettings } from '../config/settings';
import type { Finding } from '../rules/types';

/** What a cache entry holds for one file: the findings and the statement count of its last lint. */
export interface CachedLint {
  statementCount: number;
  findings: Finding[];
}

interface CacheFile {
  /** The safesql that wrote it: another version (or another build) may find other things. */
  build: string;
  entries: Record<string, { key: string } & CachedLint>;
}

export const DEFAULT_CACHE_LOCATION = '.safesqlcache';

/**
 * `--cache`: the findings of each file, keyed by a digest of safesql's version and build, the
 * settings that applied to the file and its content, so a repeated run (CI, pre-commit) lints only
 * what changed. A cache that cannot be read is ignored with a warning and rewritten.
 */
export class LintCache {
  private readonly entries: CacheFile['entries'] = {};
  private readonly settingsKeys = new WeakMap<LintSettings, string>();
  private readonly seen = new Set<string>();

  private constructor(
    private readonly path: string,
    private readonly build: string,
  ) {}

  static open(path: string, build: string, warn: (message: string) => void): LintCache {
    const cache = new LintCache(path, build);
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        warn(`cannot read the cache ${path} (${(error as NodeJS.ErrnoException).code}); linting without it`);
      return cache;
    }
    try {
      const file = JSON.parse(raw) as CacheFile;
      if (typeof file !== 'object' || file === null || typeof file.entries !== 'object' || file.entries === null)
        throw new Error('not a cache');
      if (file.build === build) Object.assign(cache.entries, file.entries);
    } catch {
      warn(`the cache ${path} is not one safesql wrote (or is damaged); it is ignored and rewritten`);
    }
    return cache;
  }

  /** The digest a file's entry must carry to be used. */
  key(text: string, settings: LintSettings): string {
    let settingsKey = this.settingsKeys.get(settings);
    if (settingsKey === undefined) {
      settingsKey = JSON.stringify(settings);
      this.settingsKeys.set(settings, settingsKey);
    }
    return createHash('sha256').update(settingsKey).update('\0').update(text).digest('base64url');
  }

  get(file: string, key: string): CachedLint | undefined {
    const entry = this.entries[file];
    if (entry?.key !== key || !Array.isArray(entry.findings) || typeof entry.statementCount !== 'number') return undefined;
    this.seen.add(file);
    return entry;
  }

  set(file: string, key: string, lint: CachedLint): void {
    this.entries[file] = { key, statementCount: lint.statementCount, findings: lint.findings };
    this.seen.add(file);
  }

  /**
   * Written whole to a temporary file first, so an interrupted run never leaves half a cache. The
   * entries of files this run did not lint are kept (a pre-commit run lints a few files), unless
   * the file is gone.
   */
  save(): void {
    for (const file of Object.keys(this.entries)) {
      if (!this.seen.has(file) && !existsSync(file)) delete this.entries[file];
    }
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ build: this.build, entries: this.entries } satisfies CacheFile));
    renameSync(temporary, this.path);
  }
}

/** safesql's version and a digest of the running bundle: a rebuilt safesql never trusts old findings. */
export function currentBuild(script: string): string {
  let digest = 'source';
  try {
    digest = createHash('sha256').update(readFileSync(script)).digest('base64url').slice(0, 16);
  } catch {
    // Running from source (tests of the source tree): the version alone names the build.
  }
  return `${PRODUCT.version}+${digest}`;
}
