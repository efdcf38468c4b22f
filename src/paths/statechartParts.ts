/** The statechart's own parts, listed from the machine: its state nodes and transition definitions. */
import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { roleMigrationMachine } from '../../models/roleMigration.ts';

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(allStateNodes)];
}

/** State nodes below the root, by dotted path (`switchover.handedOver`). */
export function statechartStates(): string[] {
  return allStateNodes(roleMigrationMachine.root)
    .filter((node) => node.path.length > 0)
    .map((node) => node.path.join('.'));
}

export function transitionId(transition: AnyTransitionDefinition): string {
  const source = transition.source as AnyStateNode;
  const candidates = source.transitions.get(transition.eventType) ?? [];
  const index = candidates.indexOf(transition);
  const where = source.path.length > 0 ? source.path.join('.') : '(root)';
  return `${where} ${transition.eventType}#${index + 1}`;
}

export interface TransitionPart {
  readonly id: string;
  readonly source: string;
  readonly event: string;
  readonly targets: readonly string[];
  readonly guard: string | null;
  readonly description: string;
}

export function statechartTransitions(): TransitionPart[] {
  return allStateNodes(roleMigrationMachine.root).flatMap((node) =>
    [...node.transitions.values()].flat().map((transition) => ({
      id: transitionId(transition),
      source: node.path.length > 0 ? node.path.join('.') : '(root)',
      event: transition.eventType,
      targets: (transition.target ?? []).map((target: AnyStateNode) => target.path.join('.')),
      guard: typeof transition.guard === 'string' ? transition.guard : null,
      description: transition.description ?? '',
    })),
  );
}

/** The dotted state paths a snapshot's value stands for, parents included. */
export function activeStates(value: unknown, prefix: readonly string[] = []): string[] {
  if (typeof value === 'string') return [[...prefix, value].join('.')];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
    [...prefix, key].join('.'),
    ...activeStates(child, [...prefix, key]),
  ]);
}

export function stateName(value: unknown): string {
  const names = activeStates(value);
  return names[names.length - 1] ?? '';
}
