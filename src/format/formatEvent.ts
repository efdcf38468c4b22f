/** Events and instructions as one readable phrase each, for the CLI and logs. */
import { formatPosition } from '../../models/position.ts';
import type { RoleMigrationContext, RoleMigrationEvent } from '../../models/types.ts';
import type { Instruction } from '../policy/decide.ts';

export function formatEvent(event: RoleMigrationEvent): string {
  switch (event.type) {
    case 'MIGRATE_TO':
      return `MIGRATE_TO ${event.source} → ${event.target}`;
    case 'MIGRATE_FROM':
    case 'INTENT':
      return `${event.type} ${event.target}`;
    case 'SHUTDOWN_CHECKPOINT':
      return `SHUTDOWN_CHECKPOINT ${formatPosition(event.position)}`;
    case 'CAUGHT_UP':
      return `CAUGHT_UP ${formatPosition(event.received)}`;
    case 'WRITE':
    case 'CATCH_UP_TIMEOUT':
    case 'INTENT_EXPIRED':
      return event.type;
    default:
      return `${event.type} ${event.node}`;
  }
}

export function formatInstruction(instruction: Instruction): string {
  switch (instruction.type) {
    case 'refuse':
      return `refuse: ${instruction.reason}`;
    case 'waitForShutdownCheckpoint':
      return `wait for ${instruction.source}'s shutdown checkpoint`;
    case 'waitForCatchUp':
      return `wait until ${instruction.target} received ${instruction.final ? formatPosition(instruction.final) : 'the final position'}`;
    default:
      return `${instruction.type} ${instruction.node}`;
  }
}

/** The cluster as the model sees it, one node after another: `node1 promoted TL 2 @ 0/2 · node2 standby …`. */
export function formatFacts(context: RoleMigrationContext): string {
  return Object.entries(context.nodes)
    .map(([node, facts]) => {
      const role = facts.instance === 'unpromoted' ? 'standby' : facts.instance;
      const marks = [
        facts.online ? '' : 'offline',
        facts.instance === 'unpromoted' && !facts.streaming ? 'not streaming' : '',
        facts.diverged ? 'diverged' : '',
      ].filter((mark) => mark !== '');
      return `${node} ${role} ${formatPosition(facts.position)}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
    })
    .join(' · ');
}
