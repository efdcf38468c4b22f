/**
 * The information rule (models/informationRules.ts), row by row, on the model itself: what an election does
 * when a position is unknown, when the candidate's own is, and when a node is offline. The other rows are
 * checked where they are applied: stale records (roleMigration.test.ts, "a stale record is never used"),
 * unreadable records (nodeRecord.test.ts), failing tools (privateAttributes.test.ts), the intent
 * (agentPolicy.test.ts); and on generated observations, test/policy/observedElection.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { electableNodes, unknownStandbys } from '../../models/cluster.ts';
import { informationRules } from '../../models/informationRules.ts';
import type { Position } from '../../models/position.ts';
import { decide } from '../../src/policy/decide.ts';
import { type ObservedNode, reconstructSnapshot } from '../../src/policy/reconstructSnapshot.ts';

const at = (lsn: number): Position => ({ timeline: 2, lsn });
const standby = (lsn: number, positionKnown = true): ObservedNode => ({
  online: true,
  instance: 'unpromoted',
  position: at(lsn),
  positionKnown,
  streaming: true,
  diverged: false,
});
const lost: ObservedNode = { ...standby(0), online: false, instance: 'stopped', positionKnown: false };

function afterFailover(nodes: Record<string, ObservedNode>, demotedAt: Position | null = null) {
  return reconstructSnapshot({
    nodes,
    handover: null,
    handoverAborted: false,
    demotedAt,
    intent: null,
    lastPromoted: 'node1',
  });
}

const promoteOf = (snapshot: ReturnType<typeof afterFailover>, node: string) => {
  const decision = decide(snapshot, { type: 'PROMOTE', node });
  return decision.kind === 'transition' ? decision.instructions : [];
};

describe('the information rule', () => {
  it('is a table of rows, each naming the fact, the case, the rule and where it is applied', () => {
    expect(informationRules.length).toBeGreaterThanOrEqual(7);
    for (const row of informationRules) for (const text of Object.values(row)) expect(text.length).toBeGreaterThan(10);
  });

  it('an unknown standby is never taken as behind: nobody is electable until its position is known', () => {
    const snapshot = afterFailover({ node1: lost, node2: standby(40), node3: standby(0, false) });
    expect(unknownStandbys(snapshot.context)).toEqual(['node3']);
    expect(electableNodes(snapshot.context)).toEqual([]);
    const [refusal] = promoteOf(snapshot, 'node2');
    expect(refusal).toEqual({
      type: 'refuse',
      reason:
        'promote of node2 refused: the position of node3 is unknown (not published for this election): an unknown node is never taken as behind',
    });
    const known = afterFailover({ node1: lost, node2: standby(40), node3: standby(10) });
    expect(promoteOf(known, 'node2')).toEqual([{ type: 'promote', node: 'node2' }]);
  });

  it('an unknown standby does not block a node holding a recorded final position: nothing can be past it', () => {
    const floored = afterFailover({ node1: lost, node2: standby(50), node3: standby(0, false) }, at(50));
    expect(electableNodes(floored.context)).toEqual(['node2']);
    const below = afterFailover({ node1: lost, node2: standby(40), node3: standby(0, false) }, at(50));
    expect(electableNodes(below.context)).toEqual([]);
  });

  it("the candidate's own unknown position makes it not electable", () => {
    const snapshot = afterFailover({ node1: lost, node2: standby(40, false), node3: standby(10) });
    expect(promoteOf(snapshot, 'node2')[0]).toMatchObject({
      type: 'refuse',
      reason: expect.stringMatching(/node2's own position is unknown/),
    });
  });

  it('an offline node blocks nothing, but what it recorded still binds as a floor', () => {
    const snapshot = afterFailover({ node1: lost, node2: standby(40), node3: standby(10) });
    expect(electableNodes(snapshot.context)).toEqual(['node2']);
    const floored = afterFailover({ node1: lost, node2: standby(40), node3: standby(10) }, at(50));
    expect(electableNodes(floored.context)).toEqual([]);
    expect(promoteOf(floored, 'node2')[0]).toMatchObject({
      type: 'refuse',
      reason: expect.stringMatching(/behind the demoted primary's final position/),
    });
  });
});
