/**
 * A classified migration → the model's events for it, in Pacemaker's order. Only what Pacemaker's inputs
 * show: the database facts between them (the shutdown checkpoint, the target's received position) come from
 * PostgreSQL, at the agent.
 */
import type { PacemakerEvent, WorldEvent } from '../../models/types.ts';
import type { Migration } from './classify.ts';

export type ClusterEvent = PacemakerEvent | Extract<WorldEvent, { type: 'INSTANCE_FAILED' | 'NODE_LOST' }>;

function lossOf(node: string, cause: string): ClusterEvent {
  return cause === 'node-lost' || cause === 'fenced' ? { type: 'NODE_LOST', node } : { type: 'INSTANCE_FAILED', node };
}

export function modelEvents(migration: Migration): ClusterEvent[] {
  const { kind, from, to, cause } = migration;
  switch (kind) {
    case 'switchover':
      return from === null || to === null
        ? []
        : [
            { type: 'MIGRATE_TO', source: from, target: to },
            { type: 'MIGRATE_FROM', target: to },
          ];
    case 'failover':
      return from === null || to === null ? [] : [lossOf(from, cause), { type: 'PROMOTE', node: to }];
    case 'recovery':
      return to === null
        ? []
        : [
            { type: 'INSTANCE_FAILED', node: to },
            { type: 'START', node: to },
            { type: 'PROMOTE', node: to },
          ];
    case 'promotion':
      return to === null ? [] : [{ type: 'PROMOTE', node: to }];
    case 'demotion':
      if (from === null) return [];
      return cause === 'node-lost' || cause === 'fenced' || cause === 'failure'
        ? [lossOf(from, cause)]
        : [{ type: 'DEMOTE', node: from }];
  }
}
