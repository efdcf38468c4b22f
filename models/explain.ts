/** Why the model refused an operation, in one line an operator can act on. */
import {
  availableStandbys,
  factsOf,
  freshHandover,
  isAvailableStandby,
  mostAdvancedStandby,
  unknownStandbys,
} from './cluster.ts';
import { comparePositions, formatPosition } from './position.ts';
import type { NodeName, RoleMigrationContext, RoleMigrationEvent } from './types.ts';

function positionOf(context: RoleMigrationContext, node: NodeName): string {
  const facts = factsOf(context, node);
  return facts === undefined || !facts.positionKnown ? 'unknown' : formatPosition(facts.position);
}

function whyNotAvailable(context: RoleMigrationContext, node: NodeName): string | null {
  const facts = factsOf(context, node);
  if (facts === undefined) return `${node} is not a node of this clone`;
  if (!facts.online) return `${node} is offline`;
  if (facts.diverged) return `${node} has diverged from the current timeline (pg_rewind needed)`;
  if (facts.instance !== 'unpromoted') return `${node} is ${facts.instance}, not a running standby`;
  return null;
}

function whyNotElectable(context: RoleMigrationContext, node: NodeName): string {
  const unavailable = whyNotAvailable(context, node);
  if (unavailable !== null) return unavailable;
  const facts = factsOf(context, node) as NonNullable<ReturnType<typeof factsOf>>;
  if (!facts.positionKnown) return `${node}'s own position is unknown`;
  const own = facts.position;
  const record = freshHandover(context);
  if (record?.final && comparePositions(own, record.final) < 0) {
    return `${node} at ${formatPosition(own)} is behind ${record.source}'s final position ${formatPosition(record.final)}`;
  }
  if (context.demotedAt !== null && comparePositions(own, context.demotedAt) < 0) {
    return `${node} at ${formatPosition(own)} is behind the demoted primary's final position ${formatPosition(context.demotedAt)}`;
  }
  const unknown = unknownStandbys(context);
  if (unknown.length > 0) {
    return `the position of ${unknown.join(', ')} is unknown (not published for this election): an unknown node is never taken as behind`;
  }
  const best = mostAdvancedStandby(context);
  if (best !== null && best !== node) {
    return `${best} at ${positionOf(context, best)} is ahead of ${node} at ${formatPosition(own)}`;
  }
  return `${node} is not electable`;
}

export function explainRefusal(context: RoleMigrationContext, event: RoleMigrationEvent): string {
  switch (event.type) {
    case 'PROMOTE': {
      const record = context.handover;
      if (record !== null && freshHandover(context) !== null && event.node !== record.target) {
        if (event.node !== record.source && isAvailableStandby(context, record.source)) {
          return `${event.node} may not be promoted during the switchover ${record.source}→${record.target}: only the source may be promoted again`;
        }
      }
      return `promote of ${event.node} refused: ${whyNotElectable(context, event.node)}`;
    }
    case 'MIGRATE_TO': {
      const source = factsOf(context, event.source);
      if (source === undefined || source.instance !== 'promoted' || !source.online) {
        return `migrate_to refused: ${event.source} is not the promoted instance`;
      }
      const reason = event.source === event.target ? 'it is the source' : whyNotAvailable(context, event.target);
      return `migrate_to ${event.source}→${event.target} refused: ${reason ?? `${event.target} is not an available standby`}`;
    }
    case 'CATCH_UP_TIMEOUT': {
      const record = context.handover;
      if (record === null || record.final === null) return 'switchover aborted: no hand-over record';
      return `switchover ${record.source}→${record.target} aborted: ${record.target} received only ${positionOf(context, record.target)} of the final ${formatPosition(record.final)} within the bound`;
    }
    case 'START':
      return `start of ${event.node} refused: ${whyNotAvailable(context, event.node) ?? `${event.node} has diverged from the current timeline (pg_rewind needed)`}`;
    default:
      return `${event.type} refused (available standbys: ${availableStandbys(context).join(', ') || 'none'})`;
  }
}
