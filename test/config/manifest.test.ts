import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_EXECUTION_SETTINGS } from '../../server/src/config/executionSettings';
import { SSL_MODES } from '../../server/src/config/settings';
import { DEFAULT_MAX_PROBLEMS, ENVIRONMENTS, SETTINGS } from '../../server/src/protocol';

interface Property {
  default?: unknown;
  enum?: string[];
  items?: { properties: Record<string, Property> };
  properties?: Record<string, Property>;
  patternProperties?: Record<string, Property>;
}

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Property> } };
};
const declared = manifest.contributes.configuration.properties;

// VS Code reads the settings schema from package.json; these keep it in step with protocol.ts.
describe('the extension manifest declares the settings the code reads', () => {
  it('every settings key, and no other', () => {
    const keys = Object.entries(SETTINGS)
      .filter(([name]) => name !== 'section')
      .map(([, key]) => key)
      .sort();
    assert.deepEqual(Object.keys(declared).sort(), keys);
  });

  it('with the defaults the code uses', () => {
    assert.equal(declared[SETTINGS.maxProblems]!.default, DEFAULT_MAX_PROBLEMS);
    assert.equal(declared[SETTINGS.statementTimeout]!.default, DEFAULT_EXECUTION_SETTINGS.statementTimeoutMs);
    assert.equal(declared[SETTINGS.lockTimeout]!.default, DEFAULT_EXECUTION_SETTINGS.lockTimeoutMs);
    assert.equal(declared[SETTINGS.previewRowLimit]!.default, DEFAULT_EXECUTION_SETTINGS.previewRowLimit);
    assert.equal(declared[SETTINGS.previewMaxAge]!.default, DEFAULT_EXECUTION_SETTINGS.previewMaxAgeSeconds);
  });

  it('with the environments and SSL modes the code knows', () => {
    const connection = declared[SETTINGS.connections]!.items!.properties;
    assert.deepEqual(connection.environment!.enum, [...ENVIRONMENTS]);
    assert.deepEqual(connection.sslmode!.enum, [...SSL_MODES]);
    assert.deepEqual(Object.keys(declared[SETTINGS.maxAffectedRows]!.properties!), [...ENVIRONMENTS]);
    assert.deepEqual(Object.values(declared[SETTINGS.environments]!.patternProperties!)[0]!.enum, [...ENVIRONMENTS]);
  });
});
