/**
 * The operator's intent, "switch over to `target`", as `promigrate switchover` stores it between the agents'
 * processes: one cluster property per clone, `promigrate-intent-<resource>` = `target=<node> expires=<epoch s>`.
 * It expires on its own (the model's INTENT_EXPIRED): an expired or unreadable value is no intent at all, so
 * a command that died before removing it cannot steer a later demote. Pure; the agent and the CLI do the I/O.
 */
import type { Intent, NodeName } from '../../models/types.ts';

export function intentProperty(resource: string): string {
  return `promigrate-intent-${resource}`;
}

/** crm_attribute's arguments naming the intent property of `resource`; add --update VALUE, --query or --delete. */
export function intentAttribute(resource: string): string[] {
  return ['--type', 'crm_config', '--name', intentProperty(resource)];
}

export function formatIntent(target: NodeName, expiresAtMs: number): string {
  return `target=${target} expires=${Math.ceil(expiresAtMs / 1000)}`;
}

/** The intent in force at `nowMs`, or null (none, expired, or not one promigrate wrote). */
export function intentInForce(text: string | null, nowMs: number): Intent | null {
  const match = /^target=([A-Za-z0-9][A-Za-z0-9._-]{0,252}) expires=(\d{1,12})$/.exec(text?.trim() ?? '');
  if (match === null) return null;
  return Number(match[2]) * 1000 > nowMs ? { target: match[1] as string } : null;
}
