/** The statechart scenario by scenario (S1–S7 of the model's specification), through the pure `decide`. */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { factsOf, freshHandover, primaryOf } from '../../models/cluster.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import { decide } from '../../src/policy/decide.ts';
import { caughtUp, instructions, play, type Step, shutdownCheckpoint, state, three, two } from './helpers.ts';

const handedOverTo = (target: string): Step[] => [
  { type: 'PROMOTE', node: 'node1' },
  { type: 'WRITE' },
  { type: 'MIGRATE_TO', source: 'node1', target },
  shutdownCheckpoint,
];

const cutThenHandedOver: Step[] = [
  { type: 'PROMOTE', node: 'node1' },
  { type: 'WRITE' },
  { type: 'REPLICATION_CUT', node: 'node2' },
  { type: 'WRITE' },
  { type: 'MIGRATE_TO', source: 'node1', target: 'node2' },
  shutdownCheckpoint,
];

describe('S1 controlled switchover', () => {
  it('records the final position at the shutdown checkpoint, promotes the caught-up target, and the source rejoins', () => {
    const handedOver = play(three, handedOverTo('node2'));
    expect(state(handedOver)).toBe('switchover.handedOver');
    const record = handedOver.snapshot.context.handover;
    expect(record).toEqual({ source: 'node1', target: 'node2', final: { timeline: 2, lsn: 2 } });
    expect(factsOf(handedOver.snapshot.context, 'node1')?.instance).toBe('unpromoted');

    const migrated = play(three, [{ type: 'MIGRATE_FROM', target: 'node2' }], handedOver.snapshot);
    expect(state(migrated)).toBe('switchover.rejoining');
    expect(instructions(migrated)).toEqual([{ type: 'promote', node: 'node2' }]);
    expect(primaryOf(migrated.snapshot.context)).toBe('node2');
    expect(factsOf(migrated.snapshot.context, 'node3')?.position).toEqual({ timeline: 3, lsn: 2 });

    const rejoined = play(three, [{ type: 'REJOIN', node: 'node1' }], migrated.snapshot);
    expect(state(rejoined)).toBe('promoted');
    expect(factsOf(rejoined.snapshot.context, 'node1')).toMatchObject({ streaming: true, diverged: false });
  });

  it('refuses a migrate_to to the source itself or to a node that is not an available standby', () => {
    const toSelf = play(two, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'MIGRATE_TO', source: 'node1', target: 'node1' },
    ]);
    expect(state(toSelf)).toBe('promoted');
    expect(instructions(toSelf)).toEqual([
      { type: 'refuse', reason: 'migrate_to node1→node1 refused: it is the source' },
    ]);
    const toLost = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'NODE_LOST', node: 'node3' },
      { type: 'MIGRATE_TO', source: 'node1', target: 'node3' },
    ]);
    expect(instructions(toLost)).toEqual([
      { type: 'refuse', reason: 'migrate_to node1→node3 refused: node3 is offline' },
    ]);
  });

  it('has no edge for migrate_from outside a switchover: the agent must fail loudly', () => {
    const promoted = play(two, [{ type: 'PROMOTE', node: 'node1' }]);
    expect(decide(promoted.snapshot, { type: 'MIGRATE_FROM', target: 'node2' })).toEqual({
      kind: 'unhandled',
      from: 'promoted',
      reason: 'the model has no transition for MIGRATE_FROM in promoted',
    });
  });
});

describe('S2 aborted switchover', () => {
  it('waits for a lagging target, refuses at the bound, and only the source may be promoted again', () => {
    const waiting = play(two, [...cutThenHandedOver, { type: 'MIGRATE_FROM', target: 'node2' }]);
    expect(state(waiting)).toBe('switchover.catchingUp');
    expect(instructions(waiting)).toEqual([
      { type: 'waitForCatchUp', target: 'node2', final: { timeline: 2, lsn: 3 } },
    ]);
    // A received position below the final one is no CAUGHT_UP: the model has no edge for it.
    expect(decide(waiting.snapshot, caughtUp(waiting.snapshot)).kind).toBe('unhandled');
    const aborted = play(two, [{ type: 'CATCH_UP_TIMEOUT' }], waiting.snapshot);
    expect(state(aborted)).toBe('switchover.aborted');
    expect(instructions(aborted)[0]).toMatchObject({ type: 'refuse' });

    // The PAF#225 election: the lagging target is refused, the source is promoted again.
    const target = play(two, [{ type: 'PROMOTE', node: 'node2' }], aborted.snapshot);
    expect(state(target)).toBe('switchover.aborted');
    expect(instructions(target)).toEqual([
      {
        type: 'refuse',
        reason: "promote of node2 refused: node2 at TL 2 @ 0/1 is behind node1's final position TL 2 @ 0/3",
      },
    ]);
    const source = play(two, [{ type: 'PROMOTE', node: 'node1' }], aborted.snapshot);
    expect(state(source)).toBe('promoted');
    expect(primaryOf(source.snapshot.context)).toBe('node1');
    expect(freshHandover(source.snapshot.context)).toBeNull();
  });

  it('promotes the target once it catches up within the bound', () => {
    const done = play(two, [
      ...cutThenHandedOver,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'REPLICATION_RESTORED', node: 'node2' },
      caughtUp,
    ]);
    expect(state(done)).toBe('switchover.rejoining');
    expect(instructions(done)).toEqual([{ type: 'promote', node: 'node2' }]);
  });

  it('promotes nobody behind the final position when the source node is lost too, until it returns', () => {
    const aborted = play(two, [
      ...cutThenHandedOver,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'CATCH_UP_TIMEOUT' },
    ]);
    const lost = play(
      two,
      [
        { type: 'NODE_LOST', node: 'node1' },
        { type: 'PROMOTE', node: 'node2' },
      ],
      aborted.snapshot,
    );
    expect(state(lost)).toBe('switchover.aborted');
    expect(instructions(lost)[0]).toMatchObject({ type: 'refuse' });
    const back = play(
      two,
      [
        { type: 'NODE_JOINED', node: 'node1' },
        { type: 'START', node: 'node1' },
        { type: 'PROMOTE', node: 'node1' },
      ],
      lost.snapshot,
    );
    expect(primaryOf(back.snapshot.context)).toBe('node1');
  });

  it('with the source lost, promotes a third node only if it holds the final position', () => {
    const aborted = play(three, [
      ...cutThenHandedOver,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'CATCH_UP_TIMEOUT' },
    ]);
    const whileSourceUp = play(three, [{ type: 'PROMOTE', node: 'node3' }], aborted.snapshot);
    expect(state(whileSourceUp)).toBe('switchover.aborted');
    const sourceLost = play(
      three,
      [
        { type: 'NODE_LOST', node: 'node1' },
        { type: 'PROMOTE', node: 'node3' },
      ],
      aborted.snapshot,
    );
    expect(state(sourceLost)).toBe('promoted');
    expect(primaryOf(sourceLost.snapshot.context)).toBe('node3');
  });
});

describe('S3 failover', () => {
  it('elects the most advanced standby and refuses a designated node that is behind', () => {
    const lost = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'REPLICATION_CUT', node: 'node3' },
      { type: 'WRITE' },
      { type: 'NODE_LOST', node: 'node1' },
    ]);
    expect(state(lost)).toBe('unpromoted.failover');
    const refused = play(three, [{ type: 'PROMOTE', node: 'node3' }], lost.snapshot);
    expect(instructions(refused)).toEqual([
      { type: 'refuse', reason: 'promote of node3 refused: node2 at TL 2 @ 0/1 is ahead of node3 at TL 2 @ 0/0' },
    ]);
    const elected = play(three, [{ type: 'PROMOTE', node: 'node2' }], lost.snapshot);
    expect(primaryOf(elected.snapshot.context)).toBe('node2');
  });

  it('marks a former primary that went past the fork as diverged and refuses to start it', () => {
    const run = play(two, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'REPLICATION_CUT', node: 'node2' },
      { type: 'WRITE' },
      { type: 'NODE_LOST', node: 'node1' },
      { type: 'PROMOTE', node: 'node2' },
      { type: 'NODE_JOINED', node: 'node1' },
      { type: 'START', node: 'node1' },
    ]);
    expect(factsOf(run.snapshot.context, 'node1')).toMatchObject({ diverged: true, instance: 'stopped' });
    expect(instructions(run)).toEqual([
      {
        type: 'refuse',
        reason: 'start of node1 refused: node1 has diverged from the current timeline (pg_rewind needed)',
      },
    ]);
  });
});

describe('S4 failures during a switchover', () => {
  it('source fails during migrate_to: no final position, a failover', () => {
    const run = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'MIGRATE_TO', source: 'node1', target: 'node2' },
      { type: 'INSTANCE_FAILED', node: 'node1' },
    ]);
    expect(state(run)).toBe('unpromoted.failover');
    expect(run.snapshot.context.handover).toBeNull();
  });

  it('target lost during migrate_from: aborted, the source is promoted again', () => {
    const run = play(three, [
      ...cutThenHandedOver,
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'NODE_LOST', node: 'node2' },
    ]);
    expect(state(run)).toBe('switchover.aborted');
    expect(primaryOf(play(three, [{ type: 'PROMOTE', node: 'node1' }], run.snapshot).snapshot.context)).toBe('node1');
  });

  it("source's node lost after migrate_to: its recorded final position still allows the safe promotion", () => {
    const run = play(three, [
      ...handedOverTo('node2'),
      { type: 'NODE_LOST', node: 'node1' },
      { type: 'MIGRATE_FROM', target: 'node2' },
    ]);
    expect(state(run)).toBe('switchover.rejoining');
    const done = play(
      three,
      [{ type: 'NODE_LOST', node: 'node1' }],
      play(three, handedOverTo('node2').concat([{ type: 'MIGRATE_FROM', target: 'node2' }])).snapshot,
    );
    expect(state(done)).toBe('promoted');
  });

  it('a third node failing meanwhile does not disturb the switchover', () => {
    const run = play(three, [
      ...handedOverTo('node2'),
      { type: 'INSTANCE_FAILED', node: 'node3' },
      { type: 'MIGRATE_FROM', target: 'node2' },
      { type: 'REJOIN', node: 'node1' },
    ]);
    expect(state(run)).toBe('promoted');
    expect(primaryOf(run.snapshot.context)).toBe('node2');
  });
});

describe('S5 split transitions and stale records', () => {
  it('a promote of the target in a later transition, naming no source, completes the same switchover', () => {
    const run = play(three, [...handedOverTo('node2'), { type: 'PROMOTE', node: 'node2' }]);
    expect(state(run)).toBe('switchover.rejoining');
    expect(run.last.kind === 'transition' && run.last.transition).toBe('switchover.handedOver PROMOTE#1');
  });

  it('a promote of the source before migrate_from withdraws the move and makes the record stale', () => {
    const run = play(three, [...handedOverTo('node2'), { type: 'PROMOTE', node: 'node1' }]);
    expect(state(run)).toBe('promoted');
    expect(run.snapshot.context.handover).not.toBeNull();
    expect(freshHandover(run.snapshot.context)).toBeNull();
  });

  it('a stale record is never used: a later failover elects as if there were none', () => {
    const run = play(three, [
      ...handedOverTo('node2'),
      { type: 'PROMOTE', node: 'node1' },
      { type: 'NODE_LOST', node: 'node1' },
      { type: 'PROMOTE', node: 'node3' },
    ]);
    expect(state(run)).toBe('promoted');
    expect(primaryOf(run.snapshot.context)).toBe('node3');
  });
});

describe("S6 the operator's intent", () => {
  it('turns a demote that names no successor into the migrate_to half of a switchover to the intent', () => {
    const run = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'INTENT', target: 'node3' },
      { type: 'DEMOTE', node: 'node1' },
    ]);
    expect(state(run)).toBe('switchover.demotingSource');
    expect(run.snapshot.context.handover).toMatchObject({ source: 'node1', target: 'node3' });
    expect(run.snapshot.context.intent).toBeNull();
  });

  it('expires on its own; a demote then records a final position and names no one', () => {
    const run = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'INTENT', target: 'node3' },
      { type: 'INTENT_EXPIRED' },
      { type: 'DEMOTE', node: 'node1' },
    ]);
    expect(state(run)).toBe('unpromoted.demoted');
    expect(run.snapshot.context.demotedAt).toEqual({ timeline: 2, lsn: 0 });
  });

  it('is gone when the primary fails, and never makes a lagging node win the election', () => {
    const run = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'INTENT', target: 'node3' },
      { type: 'REPLICATION_CUT', node: 'node3' },
      { type: 'WRITE' },
      { type: 'INSTANCE_FAILED', node: 'node1' },
    ]);
    expect(run.snapshot.context.intent).toBeNull();
    const refused = play(three, [{ type: 'PROMOTE', node: 'node3' }], run.snapshot);
    expect(instructions(refused)[0]).toMatchObject({ type: 'refuse' });
  });
});

describe('S7 first promotion and recovery in place', () => {
  it('first promotion elects any of equally advanced standbys', () => {
    const [initial] = initialTransition(roleMigrationMachine, { nodes: three });
    expect(initial.value).toEqual({ unpromoted: 'bootstrap' });
    const run = play(three, [{ type: 'PROMOTE', node: 'node3' }]);
    expect(primaryOf(run.snapshot.context)).toBe('node3');
  });

  it('recovers the failed primary in place when it is still the most advanced', () => {
    const run = play(three, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'INSTANCE_FAILED', node: 'node1' },
      { type: 'START', node: 'node1' },
      { type: 'PROMOTE', node: 'node1' },
    ]);
    expect(run.last.kind === 'transition' && run.last.transition).toBe('unpromoted.failover PROMOTE#1');
    expect(primaryOf(run.snapshot.context)).toBe('node1');
  });

  it('a plain demote binds the next promotion to its final position', () => {
    const demoted = play(two, [
      { type: 'PROMOTE', node: 'node1' },
      { type: 'REPLICATION_CUT', node: 'node2' },
      { type: 'WRITE' },
      { type: 'DEMOTE', node: 'node1' },
      { type: 'PROMOTE', node: 'node2' },
    ]);
    expect(state(demoted)).toBe('unpromoted.demoted');
    expect(instructions(demoted)[0]).toMatchObject({ type: 'refuse' });
  });
});
