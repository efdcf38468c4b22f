/**
 * The events offered at each model state when generating paths. xstate/graph needs concrete events with
 * their data; this enumerates them per node, with the data a real run would observe (the source's shutdown
 * checkpoint, the target's received position), and bounds the world so that the state space is finite.
 */
import { getNextTransitions, type SnapshotFrom } from 'xstate';
import { factsOf, newestTimeline, nodeNames, primaryOf } from '../../models/cluster.ts';
import type { RoleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent, RoleMigrationEventType } from '../../models/types.ts';

export type ModelSnapshot = SnapshotFrom<RoleMigrationMachine>;

export interface PathBounds {
  /** Writes per timeline lineage: LSNs stay within 0..maxLsn. */
  readonly maxLsn: number;
  /** Promotions: timelines stay within 1..maxTimeline. */
  readonly maxTimeline: number;
  /** Only these event types are offered (a scenario's alphabet); all when absent. */
  readonly only?: readonly RoleMigrationEventType[];
}

export const defaultBounds: PathBounds = { maxLsn: 2, maxTimeline: 4 };

/** Events that fork a new timeline when they succeed. */
const promoting: ReadonlySet<RoleMigrationEventType> = new Set(['PROMOTE', 'MIGRATE_FROM', 'CAUGHT_UP']);

const faults: ReadonlySet<RoleMigrationEventType> = new Set(['REPLICATION_CUT', 'INSTANCE_FAILED', 'NODE_LOST']);

function subjectNode(event: RoleMigrationEvent): string | null {
  return 'node' in event ? event.node : null;
}

export function pathEvents(snapshot: ModelSnapshot, bounds: PathBounds = defaultBounds): RoleMigrationEvent[] {
  const context = snapshot.context;
  const nodes = nodeNames(context);
  const primary = primaryOf(context);
  const events: RoleMigrationEvent[] = [];
  if (primary !== null && (factsOf(context, primary)?.position.lsn ?? 0) < bounds.maxLsn) events.push({ type: 'WRITE' });
  for (const node of nodes) {
    events.push(
      { type: 'PROMOTE', node },
      { type: 'DEMOTE', node },
      { type: 'START', node },
      { type: 'REJOIN', node },
      { type: 'REPLICATION_CUT', node },
      { type: 'REPLICATION_RESTORED', node },
      { type: 'INSTANCE_FAILED', node },
      { type: 'NODE_LOST', node },
      { type: 'NODE_JOINED', node },
      { type: 'INTENT', target: node },
      { type: 'MIGRATE_FROM', target: node },
    );
    if (primary !== null) events.push({ type: 'MIGRATE_TO', source: primary, target: node });
  }
  const record = context.handover;
  if (record !== null) {
    const source = factsOf(context, record.source);
    const target = factsOf(context, record.target);
    if (source !== undefined) events.push({ type: 'SHUTDOWN_CHECKPOINT', position: source.position });
    if (target !== undefined) events.push({ type: 'CAUGHT_UP', received: target.position });
  }
  events.push({ type: 'CATCH_UP_TIMEOUT' }, { type: 'INTENT_EXPIRED' });
  const atTimelineBound = newestTimeline(context) >= bounds.maxTimeline;
  const faulty = nodes.filter((node) => {
    const facts = factsOf(context, node);
    if (facts === undefined) return false;
    if (!facts.online || facts.instance === 'failed' || facts.instance === 'stopped') return true;
    return primary !== null && facts.instance === 'unpromoted' && !facts.streaming;
  });
  // Offer only the event types the current states handle (read from the machine, guards not evaluated).
  const handled = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  return events.filter((event) => {
    if (!handled.has(event.type)) return false;
    if (bounds.only !== undefined && !bounds.only.includes(event.type)) return false;
    if (atTimelineBound && promoting.has(event.type)) return false;
    // One fault at a time: a second one in a 3-node cluster costs quorum, in a 2-node cluster everything.
    if (faults.has(event.type) && faulty.some((node) => node !== subjectNode(event))) return false;
    return true;
  });
}
