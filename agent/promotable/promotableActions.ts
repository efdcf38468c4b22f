/**
 * The OCF actions of a promotable agent, with Pacemaker's role names and timeouts that leave room for the
 * work inside them: the catch-up wait of migrate_from stays below the promote timeout, and the monitors of
 * the two roles have different intervals, as Pacemaker requires.
 */
import type { ActionDeclaration } from '../ocf/agentDefinition.ts';

export const promotableActions: readonly ActionDeclaration[] = [
  { name: 'start', timeout: 60 },
  { name: 'stop', timeout: 60 },
  { name: 'monitor', timeout: 10, interval: 15, role: 'Promoted' },
  { name: 'monitor', timeout: 10, interval: 16, role: 'Unpromoted' },
  { name: 'promote', timeout: 30 },
  { name: 'demote', timeout: 120 },
  { name: 'notify', timeout: 60 },
  { name: 'migrate_to', timeout: 120 },
  { name: 'migrate_from', timeout: 30 },
  { name: 'meta-data', timeout: 5 },
  { name: 'validate-all', timeout: 5 },
];

/** The action's deadline: its timeout (CRM_meta_timeout, ms) less a margin, so that the agent answers first. */
export function actionDeadline(env: Readonly<Record<string, string | undefined>>, action: string, now: number): number {
  const declared = promotableActions.find((each) => each.name === action)?.timeout ?? 20;
  const given = Number(env.OCF_RESKEY_CRM_meta_timeout);
  const timeout = Number.isFinite(given) && given > 0 ? given : declared * 1000;
  return now + timeout - Math.min(5_000, timeout * 0.2);
}
