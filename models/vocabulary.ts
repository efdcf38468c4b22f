/** One line per event of the model: what was observed, and who observes it. Drawn into docs/model.md. */
import type { RoleMigrationEventType } from './types.ts';

export const eventDescriptions: Readonly<Record<RoleMigrationEventType, string>> = {
  START: 'Pacemaker starts the instance on a node (unpromoted).',
  PROMOTE:
    'Pacemaker promotes the instance on a node, naming no migration source (election, recovery, or a split move).',
  DEMOTE:
    'Pacemaker demotes the promoted instance, naming no successor (notify=false, or no target in this transition).',
  MIGRATE_TO:
    'The first half of a promoted-role move, on the source: native migrate_to, or a demote whose transition promotes a named target.',
  MIGRATE_FROM:
    'The second half, on the target: native migrate_from, or the promote that follows a migrate_to in the same transition.',
  SHUTDOWN_CHECKPOINT: "The source's clean shutdown finished; carries its final position from pg_controldata.",
  CAUGHT_UP: "During migrate_from's wait: the target's received position, once it reaches the final position.",
  CATCH_UP_TIMEOUT: "migrate_from's wait ran out (bounded below the promote timeout).",
  REJOIN: 'The old primary streams from the new one.',
  WRITE: 'The primary acknowledges a write.',
  REPLICATION_CUT: "A standby's replication link is cut (network, primary_conninfo, slot).",
  REPLICATION_RESTORED: "A standby's replication link works again.",
  INSTANCE_FAILED: 'An instance failed (a monitor reports it failed or not running).',
  NODE_LOST: 'A node left the membership (crash, power, partition); fenced or not.',
  NODE_JOINED: 'A lost node is back in the membership.',
  INTENT: 'The operator asks for a switchover to a named standby (`promigrate switchover`).',
  INTENT_EXPIRED: "The operator's intent reached its expiry time.",
};
