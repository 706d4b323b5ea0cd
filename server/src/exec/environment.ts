import { ENVIRONMENTS, SETTINGS, type Environment } from '../protocol';
import { resolveEnvironment } from '../config/environment';
import type { ConnectionTarget } from './connection';
import type { ServerIdentity } from './session';

export interface EffectiveEnvironment {
  environment: Environment;
  /** Why it is stronger than the connection's label says, one sentence each. */
  reasons: string[];
}

/** Lower is stronger: production outranks everything. */
function strength(environment: Environment): number {
  return ENVIRONMENTS.indexOf(environment);
}

/**
 * The environment a statement is judged by, once the server is known: the strongest of the
 * connection's label (unknown = production; prod-looking names escalate) and the environment the
 * team mapped the server's fingerprint to. It catches the development connection that is really production.
 */
export function effectiveEnvironment(
  target: ConnectionTarget,
  server: ServerIdentity,
  mapping: Record<string, Environment>,
): EffectiveEnvironment {
  const declared = resolveEnvironment(target);
  const reasons = declared.escalation ? [declared.escalation] : [];
  const mappedKey =
    server.fingerprint in mapping ? server.fingerprint : server.systemIdentifier in mapping ? server.systemIdentifier : undefined;
  const mapped = mappedKey === undefined ? undefined : mapping[mappedKey];
  if (mapped && strength(mapped) < strength(declared.environment)) {
    reasons.push(
      `connection "${target.name}" is labelled ${target.environment ?? 'nothing'}, but its server (${mappedKey}) is mapped to ${mapped} in ${SETTINGS.environments}, so it counts as ${mapped}`,
    );
    return { environment: mapped, reasons };
  }
  return { environment: declared.environment, reasons };
}
