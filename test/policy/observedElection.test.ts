/**
 * The model's invariants on what an agent actually observes, not on the model's full-knowledge states:
 * elections from generated observations in which peers' positions are missing, from an earlier election
 * (lower than what the peer holds now), unreadable, or stamped by a clock ahead, in the shapes a fenced
 * primary, a lost one without fencing and a failed one give. Whatever is missing, no promote is granted to
 * a node behind data a live standby holds; and with every position known, the most advanced is granted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePositions, formatLsn, type Position } from '../../models/position.ts';
import { factsFromEnvironment, onlineNodes } from '../../src/adapter/environmentFacts.ts';
import { agentFacts } from '../../src/policy/agentFacts.ts';
import { decide } from '../../src/policy/decide.ts';
import { parseNodeRecords } from '../../src/policy/nodeRecord.ts';
import { reconstructSnapshot } from '../../src/policy/reconstructSnapshot.ts';

const now = 1_800_000_000_000;
const roundMs = 5_000;

type Publication = 'fresh' | 'missing' | 'earlier' | 'unreadable' | 'clockAhead';

interface Peer {
  readonly position: Position;
  readonly publication: Publication;
  /** How far behind its current position the peer was when it published in an earlier election. */
  readonly earlierBy: number;
}

const positionArb = fc.record({ timeline: fc.integer({ min: 2, max: 3 }), lsn: fc.integer({ min: 0, max: 40 }) });
const peerArb = fc.record({
  position: positionArb,
  publication: fc.constantFrom<Publication>('fresh', 'missing', 'earlier', 'unreadable', 'clockAhead'),
  earlierBy: fc.integer({ min: 0, max: 40 }),
});

type Shape = 'fenced' | 'lostWithoutFencing' | 'failedWithThreshold1';

/** The notify lists Pacemaker gives the candidate's promote after the primary `lost` is gone, per shape. */
function environment(shape: Shape, lost: string, candidate: string, standbys: readonly string[]) {
  const spell = (nodes: readonly string[]) => (nodes.length === 0 ? ' ' : nodes.join(' '));
  const listed = shape === 'lostWithoutFencing' ? [] : [lost];
  const active = [...listed, ...standbys];
  return {
    OCF_RESOURCE_INSTANCE: 'pgsql:0',
    OCF_RESKEY_CRM_meta_on_node: candidate,
    OCF_RESKEY_CRM_meta_notify_active_uname: spell(active),
    OCF_RESKEY_CRM_meta_notify_promoted_uname: spell(listed),
    OCF_RESKEY_CRM_meta_notify_unpromoted_uname: spell(standbys),
    OCF_RESKEY_CRM_meta_notify_demote_uname: spell(listed),
    OCF_RESKEY_CRM_meta_notify_stop_uname: spell(listed),
    OCF_RESKEY_CRM_meta_notify_start_uname: ' ',
    OCF_RESKEY_CRM_meta_notify_promote_uname: candidate,
    // As the real scheduler spells it: every node the clone may run on, the lost primary and a node that is
    // down for maintenance included (they run no instance; an agent must not wait for their positions).
    OCF_RESKEY_CRM_meta_notify_available_uname: spell([lost, ...standbys, 'node9']),
  };
}

function published(peer: Peer): string | null {
  const text = (position: Position, at: number) => `v1 position=${position.timeline}:${formatLsn(position.lsn)}@${at}`;
  switch (peer.publication) {
    case 'fresh':
      return text(peer.position, now - 200);
    case 'clockAhead':
      return text(peer.position, now + 3_000);
    case 'earlier': {
      const earlier = { ...peer.position, lsn: Math.max(0, peer.position.lsn - peer.earlierBy) };
      return text(earlier, now - 60_000);
    }
    case 'unreadable':
      return 'v1 position=2:zz@1';
    case 'missing':
      return null;
  }
}

function decidePromote(shape: Shape, candidate: Position, peers: readonly Peer[]) {
  const names = peers.map((_, index) => `node${index + 3}`);
  const standbys = ['node2', ...names];
  const env = environment(shape, 'node1', 'node2', standbys);
  const values = new Map<string, string>([
    ['node2', published({ position: candidate, publication: 'fresh', earlierBy: 0 }) as string],
  ]);
  peers.forEach((peer, index) => {
    const text = published(peer);
    if (text !== null) values.set(names[index] as string, text);
  });
  const facts = agentFacts({
    node: 'node2',
    own: { instance: 'unpromoted', position: candidate, streaming: false },
    change: factsFromEnvironment('promote', env).clones[0] ?? null,
    online: onlineNodes(env),
    records: new Map(),
    positions: parseNodeRecords(values, () => undefined),
    now,
    electionRoundMs: roundMs,
  });
  return decide(reconstructSnapshot(facts), { type: 'PROMOTE', node: 'node2' });
}

const granted = (decision: ReturnType<typeof decide>) =>
  decision.kind === 'transition' && decision.instructions.some((each) => each.type === 'promote');

const shapeArb = fc.constantFrom<Shape>('fenced', 'lostWithoutFencing', 'failedWithThreshold1');
const peersArb = fc.array(peerArb, { minLength: 1, maxLength: 3 });

describe('elections on observed facts (property-based)', () => {
  it('never grant a promote behind a live standby, whatever is missing, old, unreadable or skewed', () => {
    fc.assert(
      fc.property(shapeArb, positionArb, peersArb, (shape, candidate, peers) => {
        const decision = decidePromote(shape, candidate, peers);
        if (!granted(decision)) return;
        for (const peer of peers) expect(comparePositions(candidate, peer.position)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuse while any live standby has not published for this election (missing, earlier, unreadable)', () => {
    fc.assert(
      fc.property(shapeArb, positionArb, peersArb, (shape, candidate, peers) => {
        const hidden = peers.some((peer) => peer.publication !== 'fresh' && peer.publication !== 'clockAhead');
        fc.pre(hidden);
        expect(granted(decidePromote(shape, candidate, peers))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('grant the most advanced standby once every position is known', () => {
    fc.assert(
      fc.property(
        shapeArb,
        positionArb,
        fc.array(positionArb, { minLength: 1, maxLength: 3 }),
        (shape, candidate, positions) => {
          const peers = positions.map((position) => ({ position, publication: 'fresh' as const, earlierBy: 0 }));
          const ahead = positions.every((position) => comparePositions(candidate, position) >= 0);
          expect(granted(decidePromote(shape, candidate, peers))).toBe(ahead);
        },
      ),
      { numRuns: 500 },
    );
  });
});
