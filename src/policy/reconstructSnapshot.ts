/**
 * Where the model's state lives between agent processes: nowhere but in facts. An agent process lives for
 * one action, so each action rebuilds the model's snapshot from what survives between actions — the
 * instances' roles, the published WAL positions, the hand-over record and its verdict (private node
 * attributes), the operator's intent — and asks the model from there. This is that one function.
 *
 * Only resting states are rebuilt: `promoted`, the `unpromoted` states, `switchover.handedOver` and
 * `switchover.aborted`. The other switchover states exist only inside one action (the source's migrate_to
 * until its shutdown checkpoint, the target's migrate_from while it waits and promotes).
 */
import { freshHandover } from '../../models/cluster.ts';
import type { Position } from '../../models/position.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { HandOver, Instance, Intent, NodeFacts, NodeName, RoleMigrationContext } from '../../models/types.ts';
import type { ModelSnapshot } from '../paths/pathEvents.ts';

export interface ObservedNode {
  readonly online: boolean;
  readonly instance: Instance;
  readonly position: Position;
  /** False when no current reading exists (see NodeFacts.positionKnown): the model's information rule applies. */
  readonly positionKnown: boolean;
  readonly streaming: boolean;
  readonly diverged: boolean;
}

export interface PersistedFacts {
  readonly nodes: Readonly<Record<NodeName, ObservedNode>>;
  /** The hand-over record as published by migrate_to, null when there is none. */
  readonly handover: HandOver | null;
  /** The target refused the promotion (its verdict, published with the record). */
  readonly handoverAborted: boolean;
  readonly demotedAt: Position | null;
  /** An operator's intent that has not expired. */
  readonly intent: Intent | null;
  readonly lastPromoted: NodeName | null;
}

export type RestingState =
  | 'promoted'
  | { unpromoted: 'bootstrap' | 'demoted' | 'failover' }
  | { switchover: 'handedOver' | 'aborted' };

export class InconsistentFacts extends Error {}

export function restingStateOf(context: RoleMigrationContext, handoverAborted: boolean): RestingState {
  const promoted = Object.entries(context.nodes).filter(([, facts]) => facts.online && facts.instance === 'promoted');
  if (promoted.length > 1) {
    throw new InconsistentFacts(`two promoted instances: ${promoted.map(([node]) => node).join(', ')}`);
  }
  if (promoted.length === 1) return 'promoted';
  if (freshHandover(context) !== null) return { switchover: handoverAborted ? 'aborted' : 'handedOver' };
  if (context.demotedAt !== null) return { unpromoted: 'demoted' };
  if (context.lastPromoted !== null) return { unpromoted: 'failover' };
  return { unpromoted: 'bootstrap' };
}

export function reconstructSnapshot(facts: PersistedFacts): ModelSnapshot {
  const nodes: Record<NodeName, NodeFacts> = {};
  for (const [node, observed] of Object.entries(facts.nodes)) nodes[node] = { ...observed };
  // One node is a legitimate view: clone-max=1, or notify=false before any other node published a record.
  if (Object.keys(nodes).length === 0) throw new InconsistentFacts('no node is known');
  const context: RoleMigrationContext = {
    nodes,
    handover: facts.handover,
    demotedAt: facts.demotedAt,
    intent: facts.intent,
    lastPromoted: facts.lastPromoted,
  };
  const value = restingStateOf(context, facts.handoverAborted);
  return roleMigrationMachine.resolveState({ value, context });
}
