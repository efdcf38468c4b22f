/**
 * The main job until the agent lands: the model plays three scenarios, S1 controlled switchover, S2 aborted
 * switchover (target cut off, and the PAF#225 election refused), S3 failover to the most advanced standby.
 * Events carry positions as PostgreSQL would report them.
 */
import { initialTransition } from 'xstate';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { RoleMigrationEvent } from '../../models/types.ts';
import { type ModelSnapshot, shutdownCheckpointEvent } from '../paths/pathEvents.ts';
import { type Decision, decide } from '../policy/decide.ts';

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly nodes: readonly string[];
  /** Each step may depend on the snapshot so far (the shutdown checkpoint is read from the source). */
  readonly steps: ReadonlyArray<RoleMigrationEvent | ((snapshot: ModelSnapshot) => RoleMigrationEvent)>;
}

export interface PlayedStep {
  readonly event: RoleMigrationEvent;
  readonly decision: Decision;
}

function shutdownCheckpointOf(snapshot: ModelSnapshot): RoleMigrationEvent {
  const event = shutdownCheckpointEvent(snapshot);
  if (event === null) throw new Error('the scenario reaches a shutdown checkpoint without a migration');
  return event;
}

const three = ['node1', 'node2', 'node3'];

export const scenarios: readonly Scenario[] = [
  {
    name: 'S1 controlled switchover node1 → node2',
    summary: 'migrate_to on node1 records its shutdown checkpoint; migrate_from promotes node2 once it has it.',
    nodes: three,
    steps: [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'WRITE' },
      { type: 'WRITE' },
      { type: 'MIGRATE_TO', source: 'node1', target: 'node2' },
      shutdownCheckpointOf,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'REJOIN', node: 'node1' },
      { type: 'WRITE' },
    ],
  },
  {
    name: 'S2 aborted switchover: node2 cut off',
    summary: 'node2 misses writes; migrate_from waits, times out, refuses; only node1 may be promoted again.',
    nodes: three,
    steps: [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'WRITE' },
      { type: 'REPLICATION_CUT', node: 'node2' },
      { type: 'WRITE' },
      { type: 'WRITE' },
      { type: 'MIGRATE_TO', source: 'node1', target: 'node2' },
      shutdownCheckpointOf,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'CATCH_UP_TIMEOUT' },
      { type: 'PROMOTE', node: 'node2' },
      { type: 'PROMOTE', node: 'node1' },
    ],
  },
  {
    name: 'S3 failover: node1 lost, node3 lagging',
    summary: 'No migrate_to happened: elect the most advanced standby; the designated lagging node is refused.',
    nodes: three,
    steps: [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'WRITE' },
      { type: 'REPLICATION_CUT', node: 'node3' },
      { type: 'WRITE' },
      { type: 'NODE_LOST', node: 'node1' },
      { type: 'PROMOTE', node: 'node3' },
      { type: 'PROMOTE', node: 'node2' },
    ],
  },
];

export function playScenario(scenario: Scenario): PlayedStep[] {
  let [snapshot] = initialTransition(roleMigrationMachine, { nodes: scenario.nodes });
  const played: PlayedStep[] = [];
  for (const step of scenario.steps) {
    const event = typeof step === 'function' ? step(snapshot) : step;
    const decision = decide(snapshot, event);
    played.push({ event, decision });
    if (decision.kind === 'transition') snapshot = decision.next;
  }
  return played;
}
