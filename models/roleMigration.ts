/**
 * The role-migration statechart: the semantics of migrate_to / migrate_from for the promoted role of one
 * promotable clone on N nodes. It is the single source of truth: the docs draw it, the test paths are
 * generated from it, and the agents ask it (with xstate's pure `transition()`) what to do next.
 *
 * State is cluster-wide: where the promoted role is and whether it is moving. The context holds the facts
 * every guard needs (per node: membership, instance role, WAL position, streaming, divergence; the
 * hand-over record; the operator's intent). Events are what an agent or the adapter observes, named in
 * Pacemaker's words (operations) and PostgreSQL's (shutdown checkpoint). Timeouts are explicit events so
 * that every path can be generated.
 *
 * Actions of two kinds: `assign` keeps the facts, and the instruction actions (`promote`, `demote`,
 * `waitForShutdownCheckpoint`, `waitForCatchUp`, `refuse`, `follow`) tell the agent what to do. Their
 * implementations here are empty on purpose: the model decides, the agent acts.
 */
import { assign, setup } from 'xstate';
import { factsOf, isAvailableStandby, isElectable, isMigrationTarget, isPrimary, primaryOf } from './cluster.ts';
import { explainRefusal } from './explain.ts';
import { isAtLeast, type Position } from './position.ts';
import type { Instance, NodeName, RoleMigrationContext, RoleMigrationEvent, RoleMigrationInput } from './types.ts';
import * as update from './updates.ts';

type GuardArgs = { context: RoleMigrationContext; event: RoleMigrationEvent };

/** The node an event is about, for events that name one. */
function subjectOf(event: RoleMigrationEvent): NodeName | null {
  if ('node' in event) return event.node;
  if (event.type === 'MIGRATE_FROM' || event.type === 'INTENT') return event.target;
  if (event.type === 'MIGRATE_TO') return event.source;
  return null;
}

function subject(event: RoleMigrationEvent): NodeName {
  const node = subjectOf(event);
  if (node === null) throw new Error(`event ${event.type} names no node`);
  return node;
}

function handoverFinal(context: RoleMigrationContext): Position | null {
  return context.handover?.final ?? null;
}

function targetHasReceived(context: RoleMigrationContext, received: Position): boolean {
  const final = handoverFinal(context);
  return final !== null && isAtLeast(received, final);
}

function isDown(instance: Instance): boolean {
  return instance === 'stopped' || instance === 'failed';
}

const noInstruction = (): void => undefined;

type ParamsArgs = { context: RoleMigrationContext; event: RoleMigrationEvent };

/** Instruction actions used by several transitions, with their parameters taken from the event. */
const promoteSubject = { type: 'promote', params: ({ event }: ParamsArgs) => ({ node: subject(event) }) } as const;
const demoteSubject = { type: 'demote', params: ({ event }: ParamsArgs) => ({ node: subject(event) }) } as const;
const refuseWithReason = {
  type: 'refuse',
  params: ({ context, event }: ParamsArgs) => ({ reason: explainRefusal(context, event) }),
} as const;

export const roleMigrationMachine = setup({
  types: {
    context: {} as RoleMigrationContext,
    events: {} as RoleMigrationEvent,
    input: {} as RoleMigrationInput,
  },
  guards: {
    hasPrimary: ({ context }: GuardArgs) => primaryOf(context) !== null,
    isPrimaryNode: ({ context, event }: GuardArgs) => isPrimary(context, subject(event)),
    isStreamingStandby: ({ context, event }: GuardArgs) =>
      isAvailableStandby(context, subject(event)) && factsOf(context, subject(event))?.streaming === true,
    isCutStandby: ({ context, event }: GuardArgs) =>
      isAvailableStandby(context, subject(event)) && factsOf(context, subject(event))?.streaming === false,
    isRunningStandby: ({ context, event }: GuardArgs) => {
      const facts = factsOf(context, subject(event));
      return facts?.online === true && facts.instance === 'unpromoted';
    },
    isOnlineStandbyNode: ({ context, event }: GuardArgs) => {
      const facts = factsOf(context, subject(event));
      return facts?.online === true && facts.instance !== 'promoted';
    },
    isOffline: ({ context, event }: GuardArgs) => factsOf(context, subject(event))?.online === false,
    isStartable: ({ context, event }: GuardArgs) => {
      const facts = factsOf(context, subject(event));
      return facts?.online === true && isDown(facts.instance) && !facts.diverged;
    },
    isDivergedInstance: ({ context, event }: GuardArgs) => {
      const facts = factsOf(context, subject(event));
      return facts?.online === true && isDown(facts.instance) && facts.diverged;
    },
    isIntentTarget: ({ context, event }: GuardArgs) =>
      isAvailableStandby(context, subject(event)) && context.intent?.target !== subject(event),
    hasIntent: ({ context }: GuardArgs) => context.intent !== null,
    isElectable: ({ context, event }: GuardArgs) => isElectable(context, subject(event)),
    isRecoveryInPlace: ({ context, event }: GuardArgs) =>
      context.lastPromoted === subject(event) && isElectable(context, subject(event)),
    isMigration: ({ context, event }: GuardArgs) =>
      event.type === 'MIGRATE_TO' && isMigrationTarget(context, event.source, event.target),
    isDemoteTowardsIntent: ({ context, event }: GuardArgs) =>
      context.intent !== null && isMigrationTarget(context, subject(event), context.intent.target),
    isHandoverSource: ({ context, event }: GuardArgs) => context.handover?.source === subject(event),
    isHandoverTarget: ({ context, event }: GuardArgs) => context.handover?.target === subject(event),
    isCaughtUpTarget: ({ context, event }: GuardArgs) => {
      const target = subject(event);
      const facts = factsOf(context, target);
      return (
        context.handover?.target === target &&
        facts !== undefined &&
        facts.positionKnown &&
        isAvailableStandby(context, target) &&
        targetHasReceived(context, facts.position)
      );
    },
    isPastSourcePosition: ({ context, event }: GuardArgs) => {
      const source = context.handover === null ? undefined : factsOf(context, context.handover.source);
      return event.type === 'SHUTDOWN_CHECKPOINT' && source !== undefined && isAtLeast(event.position, source.position);
    },
    isAvailableHandoverTarget: ({ context, event }: GuardArgs) =>
      context.handover?.target === subject(event) && isAvailableStandby(context, subject(event)),
    hasReceivedFinal: ({ context, event }: GuardArgs) =>
      event.type === 'CAUGHT_UP' && targetHasReceived(context, event.received),
    isAvailableHandoverSource: ({ context, event }: GuardArgs) =>
      context.handover?.source === subject(event) && isAvailableStandby(context, subject(event)),
    isElectableWithoutSource: ({ context, event }: GuardArgs) => {
      const source = context.handover?.source;
      return source !== undefined && !isAvailableStandby(context, source) && isElectable(context, subject(event));
    },
  },
  actions: {
    acknowledgeWrite: assign(({ context }) => update.acknowledgeWrite(context)),
    cutReplication: assign(({ context, event }) => update.cutReplication(context, subject(event))),
    restoreReplication: assign(({ context, event }) => update.restoreReplication(context, subject(event))),
    failInstance: assign(({ context, event }) => update.failInstance(context, subject(event))),
    loseNode: assign(({ context, event }) => update.loseNode(context, subject(event))),
    joinNode: assign(({ context, event }) => update.joinNode(context, subject(event))),
    startInstance: assign(({ context, event }) => update.startInstance(context, subject(event))),
    setIntent: assign(({ context, event }) => update.setIntent(context, subject(event))),
    clearIntent: assign(({ context }) => update.clearIntent(context)),
    promoteNode: assign(({ context, event }) => update.promoteNode(context, subject(event))),
    promoteHandoverTarget: assign(({ context }) =>
      context.handover === null ? context : update.promoteNode(context, context.handover.target),
    ),
    demoteToStandby: assign(({ context, event }) => update.demoteToStandby(context, subject(event))),
    beginMigration: assign(({ context, event }) =>
      event.type === 'MIGRATE_TO' ? update.beginMigration(context, event.source, event.target) : context,
    ),
    beginMigrationTowardsIntent: assign(({ context, event }) =>
      context.intent === null ? context : update.beginMigration(context, subject(event), context.intent.target),
    ),
    recordShutdownCheckpoint: assign(({ context, event }) =>
      event.type === 'SHUTDOWN_CHECKPOINT' ? update.recordShutdownCheckpoint(context, event.position) : context,
    ),
    recordReceived: assign(({ context, event }) =>
      event.type === 'CAUGHT_UP' ? update.recordReceived(context, event.received) : context,
    ),
    dropUnfinishedHandover: assign(({ context }) => update.dropUnfinishedHandover(context)),
    rejoin: assign(({ context, event }) => update.rejoin(context, subject(event))),
    // Instructions for the agent; see the header comment.
    promote: noInstruction as (_: unknown, params: { node: NodeName }) => void,
    demote: noInstruction as (_: unknown, params: { node: NodeName }) => void,
    waitForShutdownCheckpoint: noInstruction as (_: unknown, params: { source: NodeName }) => void,
    waitForCatchUp: noInstruction as (_: unknown, params: { target: NodeName; final: Position | null }) => void,
    follow: noInstruction as (_: unknown, params: { node: NodeName }) => void,
    refuse: noInstruction as (_: unknown, params: { reason: string }) => void,
  },
}).createMachine({
  id: 'promotedRole',
  description: 'The promoted role of one promotable clone across its nodes.',
  context: ({ input }) => update.initialContext(input.nodes),
  initial: 'unpromoted',
  on: {
    WRITE: {
      guard: 'hasPrimary',
      actions: 'acknowledgeWrite',
      description: 'The primary acknowledges a write; streaming standbys receive it.',
    },
    REPLICATION_CUT: {
      guard: 'isStreamingStandby',
      actions: 'cutReplication',
      description: "A standby's WAL receiver is cut off: it stops receiving.",
    },
    REPLICATION_RESTORED: {
      guard: 'isCutStandby',
      actions: 'restoreReplication',
      description: 'A cut standby reconnects and receives what its upstream has.',
    },
    INSTANCE_FAILED: {
      guard: 'isRunningStandby',
      actions: 'failInstance',
      description: 'An unpromoted instance fails; the promoted role is not affected.',
    },
    NODE_LOST: {
      guard: 'isOnlineStandbyNode',
      actions: 'loseNode',
      description: 'A node without the promoted role leaves the membership.',
    },
    NODE_JOINED: {
      guard: 'isOffline',
      actions: 'joinNode',
      description: 'A lost node rejoins the membership with its instance stopped.',
    },
    START: [
      {
        guard: 'isStartable',
        actions: ['startInstance', { type: 'follow', params: ({ event }) => ({ node: subject(event) }) }],
        description: 'start: the instance starts unpromoted and follows the primary, if there is one.',
      },
      {
        guard: 'isDivergedInstance',
        actions: refuseWithReason,
        description: 'start refused: the instance has diverged from the current timeline (pg_rewind needed).',
      },
    ],
    INTENT_EXPIRED: {
      guard: 'hasIntent',
      actions: 'clearIntent',
      description: "The operator's intent expires on its own.",
    },
  },
  states: {
    unpromoted: {
      description: 'No instance holds the promoted role; the next promote is an election.',
      initial: 'bootstrap',
      on: {
        PROMOTE: [
          {
            guard: 'isElectable',
            target: 'promoted',
            actions: ['promoteNode', promoteSubject],
            description:
              'promote: the node is the most advanced available standby, not behind any recorded final position.',
          },
          {
            actions: refuseWithReason,
            description: 'promote refused: another available standby is ahead, or the node is behind a final position.',
          },
        ],
      },
      states: {
        bootstrap: { description: 'Never promoted yet: the first promotion elects the most advanced standby.' },
        demoted: {
          description: 'The primary was demoted with no successor named; its final position binds the next promotion.',
        },
        failover: {
          description: 'The promoted instance failed or its node was lost, with no migrate_to: failover or recovery.',
          on: {
            PROMOTE: {
              guard: 'isRecoveryInPlace',
              target: '#promotedRole.promoted',
              actions: ['promoteNode', promoteSubject],
              description: 'promote in place: the restarted former primary is still the most advanced (recovery).',
            },
          },
        },
      },
    },
    promoted: {
      description: 'Exactly one instance is promoted; the standbys follow it.',
      on: {
        MIGRATE_TO: [
          {
            guard: 'isMigration',
            target: 'switchover',
            actions: [
              'beginMigration',
              demoteSubject,
              { type: 'waitForShutdownCheckpoint', params: ({ event }) => ({ source: subject(event) }) },
            ],
            description: 'migrate_to: the source shuts down cleanly towards its shutdown checkpoint.',
          },
          {
            actions: refuseWithReason,
            description: 'migrate_to refused: the source is not the primary or the target is not an available standby.',
          },
        ],
        DEMOTE: [
          {
            guard: 'isDemoteTowardsIntent',
            target: 'switchover',
            actions: [
              'beginMigrationTowardsIntent',
              demoteSubject,
              { type: 'waitForShutdownCheckpoint', params: ({ event }) => ({ source: subject(event) }) },
            ],
            description:
              "demote with the operator's intent: it is the migrate_to half of a switchover to the intent's target.",
          },
          {
            guard: 'isPrimaryNode',
            target: 'unpromoted.demoted',
            actions: ['demoteToStandby', demoteSubject],
            description: 'demote naming no successor: clean shutdown, restart as a standby, final position recorded.',
          },
        ],
        INSTANCE_FAILED: {
          guard: 'isPrimaryNode',
          target: 'unpromoted.failover',
          actions: ['failInstance', 'clearIntent'],
          description: 'The promoted instance fails.',
        },
        NODE_LOST: {
          guard: 'isPrimaryNode',
          target: 'unpromoted.failover',
          actions: ['loseNode', 'clearIntent'],
          description: "The promoted instance's node is lost.",
        },
        INTENT: {
          guard: 'isIntentTarget',
          actions: 'setIntent',
          description: 'The operator asks for a switchover to an available standby.',
        },
      },
    },
    switchover: {
      description: 'A controlled switchover: migrate_to on the source, then migrate_from on the target.',
      initial: 'demotingSource',
      states: {
        demotingSource: {
          description: 'migrate_to runs: the source is shutting down cleanly.',
          on: {
            SHUTDOWN_CHECKPOINT: {
              guard: 'isPastSourcePosition',
              target: 'handedOver',
              actions: 'recordShutdownCheckpoint',
              description:
                'The source stopped at its shutdown checkpoint and restarted as a standby; its final position is recorded.',
            },
            INSTANCE_FAILED: {
              guard: 'isHandoverSource',
              target: '#promotedRole.unpromoted.failover',
              actions: ['failInstance', 'dropUnfinishedHandover'],
              description: 'The source fails during migrate_to: no final position, this is a failover.',
            },
            NODE_LOST: {
              guard: 'isHandoverSource',
              target: '#promotedRole.unpromoted.failover',
              actions: ['loseNode', 'dropUnfinishedHandover'],
              description: "The source's node is lost during migrate_to: no final position, this is a failover.",
            },
          },
        },
        handedOver: {
          description:
            'The source is a standby; its final position (timeline, shutdown-checkpoint LSN) is recorded; migrate_from is due, possibly in a later transition.',
          on: {
            MIGRATE_FROM: [
              {
                guard: 'isCaughtUpTarget',
                target: 'rejoining',
                actions: ['promoteHandoverTarget', promoteSubject],
                description: 'migrate_from: the target has received the final position; it is promoted.',
              },
              {
                guard: 'isAvailableHandoverTarget',
                target: 'catchingUp',
                actions: {
                  type: 'waitForCatchUp',
                  params: ({ context, event }) => ({ target: subject(event), final: handoverFinal(context) }),
                },
                description:
                  'migrate_from: the target is behind the final position; wait, bounded below the promote timeout.',
              },
            ],
            PROMOTE: [
              {
                guard: 'isCaughtUpTarget',
                target: 'rejoining',
                actions: ['promoteHandoverTarget', promoteSubject],
                description:
                  'promote of the target in a later transition (the move was split): the same migrate_from, target promoted.',
              },
              {
                guard: 'isAvailableHandoverTarget',
                target: 'catchingUp',
                actions: {
                  type: 'waitForCatchUp',
                  params: ({ context, event }) => ({ target: subject(event), final: handoverFinal(context) }),
                },
                description: 'promote of the target in a later transition, target behind: the same bounded wait.',
              },
              {
                guard: 'isAvailableHandoverSource',
                target: '#promotedRole.promoted',
                actions: ['promoteNode', promoteSubject],
                description:
                  'promote of the source: the move was withdrawn before migrate_from; the record becomes stale.',
              },
              {
                actions: refuseWithReason,
                description: 'promote of a third node during a switchover is refused.',
              },
            ],
            INSTANCE_FAILED: {
              guard: 'isHandoverTarget',
              target: 'aborted',
              actions: 'failInstance',
              description: 'The target fails before migrate_from: the switchover is aborted.',
            },
            NODE_LOST: {
              guard: 'isHandoverTarget',
              target: 'aborted',
              actions: 'loseNode',
              description: "The target's node is lost before migrate_from: the switchover is aborted.",
            },
          },
        },
        catchingUp: {
          description: 'migrate_from waits, bounded, until the target has received the final position.',
          on: {
            CAUGHT_UP: {
              guard: 'hasReceivedFinal',
              target: 'rejoining',
              actions: [
                'recordReceived',
                'promoteHandoverTarget',
                {
                  type: 'promote',
                  params: ({ context }) => ({ node: context.handover?.target ?? '' }),
                },
              ],
              description: 'The target received everything up to the shutdown checkpoint: it is promoted.',
            },
            CATCH_UP_TIMEOUT: {
              target: 'aborted',
              actions: refuseWithReason,
              description: 'The bound ran out before the target received everything: promotion refused.',
            },
            INSTANCE_FAILED: {
              guard: 'isHandoverTarget',
              target: 'aborted',
              actions: 'failInstance',
              description: 'The target fails during migrate_from: the switchover is aborted.',
            },
            NODE_LOST: {
              guard: 'isHandoverTarget',
              target: 'aborted',
              actions: 'loseNode',
              description: "The target's node is lost during migrate_from: the switchover is aborted.",
            },
          },
        },
        rejoining: {
          description: 'The target is promoted; the source rejoins as its standby.',
          on: {
            REJOIN: {
              guard: 'isAvailableHandoverSource',
              target: '#promotedRole.promoted',
              actions: ['rejoin', { type: 'follow', params: ({ event }) => ({ node: subject(event) }) }],
              description: 'The source streams from the new primary on its timeline: the switchover is complete.',
            },
            INSTANCE_FAILED: [
              {
                guard: 'isPrimaryNode',
                target: '#promotedRole.unpromoted.failover',
                actions: 'failInstance',
                description: 'The new primary fails before the source rejoined.',
              },
              {
                guard: 'isHandoverSource',
                target: '#promotedRole.promoted',
                actions: 'failInstance',
                description: 'The source fails before it rejoined: the switchover is complete without it.',
              },
            ],
            NODE_LOST: [
              {
                guard: 'isPrimaryNode',
                target: '#promotedRole.unpromoted.failover',
                actions: 'loseNode',
                description: "The new primary's node is lost before the source rejoined.",
              },
              {
                guard: 'isHandoverSource',
                target: '#promotedRole.promoted',
                actions: 'loseNode',
                description: "The source's node is lost before it rejoined: the switchover is complete without it.",
              },
            ],
          },
        },
        aborted: {
          description: 'The switchover was aborted and the promotion refused: the source must be promoted again.',
          on: {
            PROMOTE: [
              {
                guard: 'isAvailableHandoverSource',
                target: '#promotedRole.promoted',
                actions: ['promoteNode', promoteSubject],
                description: 'promote of the source: it is primary again and nothing acknowledged is lost.',
              },
              {
                guard: 'isElectableWithoutSource',
                target: '#promotedRole.promoted',
                actions: ['promoteNode', promoteSubject],
                description: 'promote of another node that holds the final position, the source being unavailable.',
              },
              {
                actions: refuseWithReason,
                description: 'promote refused: only the source, or a node holding its final position, may be promoted.',
              },
            ],
          },
        },
      },
    },
  },
});

export type RoleMigrationMachine = typeof roleMigrationMachine;
