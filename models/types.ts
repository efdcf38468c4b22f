import type { Position } from './position.ts';

export type NodeName = string;

/** The state of one node's instance of the clone, in Pacemaker's role words. */
export type Instance = 'promoted' | 'unpromoted' | 'stopped' | 'failed';

/** What is known about one node: every field is something an agent can observe. */
export interface NodeFacts {
  /** In the cluster membership (corosync) with its node online in Pacemaker's view. */
  readonly online: boolean;
  readonly instance: Instance;
  /**
   * The node's true end of WAL: what a primary wrote, what a standby received. After a clean shutdown it is
   * the shutdown checkpoint (pg_controldata), never `pg_last_wal_receive_lsn()` of a restarted standby —
   * that one reports the start of its segment (the PAF#225 loss).
   */
  readonly position: Position;
  /**
   * Whether `position` is a current reading: observed by this action, published for this election, or a
   * recorded final position. False when nothing current is known (not published, stale, unreadable): the
   * information rule (cluster.ts, `isElectable`) then never takes the node as behind — it blocks elections.
   * Always true in the model's own paths, where every fact is known.
   */
  readonly positionKnown: boolean;
  /** A standby's replication link is intact: it receives what the primary writes (false once cut). */
  readonly streaming: boolean;
  /** The node went past the point where the current timeline forked: it cannot follow without pg_rewind. */
  readonly diverged: boolean;
}

/**
 * The hand-over record that migrate_to leaves for migrate_from (in emulation: private node attributes).
 * `final` is the source's final position: its timeline and shutdown-checkpoint LSN.
 * The record is fresh only while no node is on a newer timeline than `final`; a stale record is never used.
 */
export interface HandOver {
  readonly source: NodeName;
  readonly target: NodeName;
  /** Null while migrate_to is still shutting the source down. */
  readonly final: Position | null;
}

/** An operator's "switch over to `target`". It expires on its own (INTENT_EXPIRED) and is never an election input. */
export interface Intent {
  readonly target: NodeName;
}

export interface RoleMigrationContext {
  readonly nodes: Readonly<Record<NodeName, NodeFacts>>;
  readonly handover: HandOver | null;
  /** The final position of a plain demote that named no successor: the next promotion must not be behind it. */
  readonly demotedAt: Position | null;
  readonly intent: Intent | null;
  /** The node that held the promoted role last (for recovery in place and for explanations). */
  readonly lastPromoted: NodeName | null;
}

export interface RoleMigrationInput {
  readonly nodes: readonly NodeName[];
}

/** Pacemaker operations, as the scheduler orders them and the agent sees them. */
export type PacemakerEvent =
  | { type: 'START'; node: NodeName }
  | { type: 'PROMOTE'; node: NodeName }
  | { type: 'DEMOTE'; node: NodeName }
  | { type: 'MIGRATE_TO'; source: NodeName; target: NodeName }
  | { type: 'MIGRATE_FROM'; target: NodeName };

/** What PostgreSQL reports while an operation runs. */
export type DatabaseEvent =
  | { type: 'SHUTDOWN_CHECKPOINT'; position: Position }
  | { type: 'CAUGHT_UP'; received: Position }
  | { type: 'CATCH_UP_TIMEOUT' }
  | { type: 'REJOIN'; node: NodeName };

/** Facts of the world that no agent decides: writes, replication, failures, membership, the operator. */
export type WorldEvent =
  | { type: 'WRITE' }
  | { type: 'REPLICATION_CUT'; node: NodeName }
  | { type: 'REPLICATION_RESTORED'; node: NodeName }
  | { type: 'INSTANCE_FAILED'; node: NodeName }
  | { type: 'NODE_LOST'; node: NodeName }
  | { type: 'NODE_JOINED'; node: NodeName }
  | { type: 'INTENT'; target: NodeName }
  | { type: 'INTENT_EXPIRED' };

export type RoleMigrationEvent = PacemakerEvent | DatabaseEvent | WorldEvent;
export type RoleMigrationEventType = RoleMigrationEvent['type'];
