/**
 * The events offered at each model state when generating paths. xstate/graph needs concrete events with
 * their data; this enumerates them per node, with the data a real run would observe (the source's shutdown
 * checkpoint, the target's received position). The state space is finite without further bounds because
 * states are identified up to the order of positions (see canonicalState.ts); faults are limited to one
 * node down and one cut replication link at a time.
 */
import { getNextTransitions, type SnapshotFrom } from 'xstate';
import { factsOf, nodeNames, primaryOf } from '../../models/cluster.ts';
import type { RoleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent, RoleMigrationEventType } from '../../models/types.ts';

export type ModelSnapshot = SnapshotFrom<RoleMigrationMachine>;

export interface PathBounds {
  /** Only these event types are offered (a scenario's alphabet); all when absent. */
  readonly only?: readonly RoleMigrationEventType[];
  /** Only what can be made to happen on the real system (see `realizable`). */
  readonly realSystem?: boolean;
}

/**
 * Events a real cluster can be made to produce. Pacemaker never promotes an instance that is not running
 * (it starts it first), so a promote of a node the model has down or offline happens only within the one
 * transition in which it failed — not as a step of its own. (A migrate_to to a node that cannot take over
 * is the proposed interface's migrate_to, which the suite invokes directly.)
 */
export function realizable(snapshot: ModelSnapshot, event: RoleMigrationEvent): boolean {
  const context = snapshot.context;
  const running = (node: string) => {
    const facts = factsOf(context, node);
    return facts?.online === true && (facts.instance === 'unpromoted' || facts.instance === 'promoted');
  };
  if (event.type === 'PROMOTE') return running(event.node);
  return true;
}

const nodeFaults: ReadonlySet<RoleMigrationEventType> = new Set(['INSTANCE_FAILED', 'NODE_LOST']);

function subjectNode(event: RoleMigrationEvent): string | null {
  return 'node' in event ? event.node : null;
}

/**
 * The shutdown checkpoint a real migrate_to would report for the migration in progress: the checkpoint is
 * itself a WAL record, so the final position is past everything the source wrote. Null without a record.
 */
export function shutdownCheckpointEvent(snapshot: ModelSnapshot): RoleMigrationEvent | null {
  const record = snapshot.context.handover;
  const source = record === null ? undefined : factsOf(snapshot.context, record.source);
  if (source === undefined) return null;
  return { type: 'SHUTDOWN_CHECKPOINT', position: { ...source.position, lsn: source.position.lsn + 1 } };
}

export function pathEvents(snapshot: ModelSnapshot, bounds: PathBounds = {}): RoleMigrationEvent[] {
  const context = snapshot.context;
  const nodes = nodeNames(context);
  const primary = primaryOf(context);
  const events: RoleMigrationEvent[] = [];
  if (primary !== null) events.push({ type: 'WRITE' });
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
    const checkpoint = shutdownCheckpointEvent(snapshot);
    if (checkpoint !== null) events.push(checkpoint);
    const target = factsOf(context, record.target);
    if (target !== undefined) events.push({ type: 'CAUGHT_UP', received: target.position });
  }
  events.push({ type: 'CATCH_UP_TIMEOUT' }, { type: 'INTENT_EXPIRED' });
  const down = nodes.filter((node) => {
    const facts = factsOf(context, node);
    return facts !== undefined && (!facts.online || facts.instance === 'failed' || facts.instance === 'stopped');
  });
  const cut = nodes.filter((node) => {
    const facts = factsOf(context, node);
    return facts?.online && facts.instance === 'unpromoted' && !facts.streaming;
  });
  // Offer only the event types the current states handle (read from the machine, guards not evaluated).
  const handled = new Set(getNextTransitions(snapshot).map((transition) => transition.eventType));
  return events.filter((event) => {
    if (!handled.has(event.type)) return false;
    if (bounds.only !== undefined && !bounds.only.includes(event.type)) return false;
    if (bounds.realSystem === true && !realizable(snapshot, event)) return false;
    // One node down at a time (a second one costs a 3-node cluster its quorum) and one cut link at a time.
    if (nodeFaults.has(event.type) && down.some((node) => node !== subjectNode(event))) return false;
    if (event.type === 'REPLICATION_CUT' && cut.length > 0) return false;
    return true;
  });
}
