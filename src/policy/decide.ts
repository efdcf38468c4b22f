/**
 * Ask the model: given the current snapshot and an observed event, which transition is taken, what the next
 * snapshot is, and what the agent must do. Pure: xstate's `transition()` computes, nothing is executed.
 */
import { type AnyTransitionDefinition, transition } from 'xstate';
import type { Position } from '../../models/position.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { NodeName, RoleMigrationEvent } from '../../models/types.ts';
import type { ModelSnapshot } from '../paths/pathEvents.ts';
import { stateName, transitionId } from '../paths/statechartParts.ts';

/** What the model tells the agent to do; the instruction actions of the statechart. */
export type Instruction =
  | { type: 'promote'; node: NodeName }
  | { type: 'demote'; node: NodeName }
  | { type: 'waitForShutdownCheckpoint'; source: NodeName }
  | { type: 'waitForCatchUp'; target: NodeName; final: Position | null }
  | { type: 'follow'; node: NodeName }
  | { type: 'refuse'; reason: string };

export type Decision =
  | {
      readonly kind: 'transition';
      readonly from: string;
      readonly to: string;
      readonly transition: string;
      readonly description: string;
      readonly instructions: readonly Instruction[];
      readonly next: ModelSnapshot;
    }
  | { readonly kind: 'unhandled'; readonly from: string; readonly reason: string };

const instructionTypes = new Set([
  'promote',
  'demote',
  'waitForShutdownCheckpoint',
  'waitForCatchUp',
  'follow',
  'refuse',
]);

export function decide(snapshot: ModelSnapshot, event: RoleMigrationEvent): Decision {
  const from = stateName(snapshot.value);
  const taken: AnyTransitionDefinition[] = roleMigrationMachine.getTransitionData(snapshot, event);
  const chosen = taken[0];
  if (chosen === undefined) {
    return { kind: 'unhandled', from, reason: `the model has no transition for ${event.type} in ${from}` };
  }
  const [next, actions] = transition(roleMigrationMachine, snapshot, event);
  const instructions = actions
    .filter((action) => instructionTypes.has(action.type))
    .map((action) => ({ type: action.type, ...(action.params as object) }) as Instruction);
  return {
    kind: 'transition',
    from,
    to: stateName(next.value),
    transition: transitionId(chosen),
    description: chosen.description ?? '',
    instructions,
    next,
  };
}
