/**
 * What a promotable agent needs from the database it manages. The PostgreSQL agent and the database-free
 * reference agent (`stateful`) implement this; every decision above it is shared and comes from the model.
 * Positions are the model's: (timeline, LSN).
 */
import type { Position } from '../../models/position.ts';

/** The instance as observed on this node, in the three-plus states an OCF monitor must tell apart. */
export type DatabaseState =
  | { readonly kind: 'stopped'; readonly clean: boolean; readonly position: Position | null }
  | {
      readonly kind: 'primary';
      readonly position: Position;
      /** The standbys streaming from it, by node name (application_name), with the position each has written. */
      readonly standbys: ReadonlyMap<string, number>;
    }
  | { readonly kind: 'standby'; readonly position: Position; readonly streaming: boolean }
  /** Running state unknowable (a process without a usable server, a crashed postmaster): a failure. */
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly position: Position | null;
      /** It failed as a primary (a crashed primary): OCF_FAILED_PROMOTED for the monitor. */
      readonly wasPrimary: boolean;
    };

/**
 * `installed`: software missing on this node (OCF 5); `local`: this node's set-up is wrong, e.g. no data
 * directory (OCF 2, the clone is banned from this node only); `configured`: wrong everywhere (OCF 6).
 */
export interface DatabaseProblem {
  readonly kind: 'installed' | 'local' | 'configured';
  readonly reason: string;
}

export interface ReplicatedDatabase {
  /** A problem that makes every action fail, or null. Cheap: runs before every action but meta-data. */
  validate(): Promise<DatabaseProblem | null>;
  observe(): Promise<DatabaseState>;
  /** Starts the instance as a standby (Pacemaker's start is always to the unpromoted role). Idempotent. */
  startStandby(): Promise<void>;
  /**
   * Stops the instance: cleanly if it can, else at once (PostgreSQL: fast, then immediate). Idempotent.
   * Says how, or null when nothing ran.
   */
  stop(): Promise<'fast' | 'immediate' | null>;
  /**
   * Stops the primary cleanly and returns its final position: the end of its shutdown checkpoint, which
   * connected standbys have received once the primary is down.
   */
  shutdownCheckpoint(): Promise<Position>;
  /**
   * Promotes the standby onto a new timeline numbered above `newerThan` (every timeline any node is known to
   * be on): the database must not reuse the number of a timeline it never saw. Returns the timeline it was
   * promoted onto, the ones it had to be told of first (empty when it knew them all), and where the old
   * timeline ended as the database itself records it (PostgreSQL's timeline history file): the position
   * the promotion forked at, read after the fact, whatever the agent believed before it.
   */
  promote(
    newerThan: number,
  ): Promise<{ readonly onto: number; readonly reserved: number[]; readonly switchPoint: Position }>;
  /**
   * Points this node's replication at `primary`'s own node (not through an address that moves), running or
   * not: read at the next start, or at once by a running standby. False when the operator manages where
   * standbys replicate from (nothing done).
   */
  follow(primary: string): Promise<boolean>;
  /** What a standby has received so far (its true end of WAL), for the catch-up wait. */
  received(): Promise<Position>;
}
