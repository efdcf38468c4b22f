/** The switchover command's progress, from cluster observations (pure): phases in order, then the outcome. */
import { describe, expect, it } from 'vitest';
import { parseNodeRecord } from '../../src/policy/nodeRecord.ts';
import { precheck } from '../../src/switchover/runSwitchover.ts';
import { type SwitchoverObservation, startTracking, track } from '../../src/switchover/switchoverProgress.ts';

const at = (ms: number, fields: Partial<SwitchoverObservation>): SwitchoverObservation => ({
  at: 1000 + ms,
  promoted: [],
  unpromoted: [],
  failures: [],
  sourceRecord: null,
  ...fields,
});
const before = at(0, { promoted: ['node1'], unpromoted: ['node2', 'node3'] });
const handedOver = parseNodeRecord('v1 handover=node1>node2@2:0/3000060:pending');

describe('switchover progress', () => {
  it('reports hand-over, catch-up, promote and rejoin, then switched', () => {
    let tracker = startTracking('node1', 'node2', 1000, before);
    tracker = track(tracker, at(300, { unpromoted: ['node1', 'node2', 'node3'], sourceRecord: handedOver }));
    expect(tracker.reached.map((each) => each.phase)).toEqual(['hand-over', 'catch-up']);
    expect(tracker.reached[0]?.detail).toBe('node1 shut down cleanly at TL 2 @ 0/3000060 and handed over to node2');
    tracker = track(tracker, at(600, { promoted: ['node2'], unpromoted: ['node1', 'node3'] }));
    expect(tracker.reached.map((each) => [each.phase, each.atMs])).toEqual([
      ['hand-over', 300],
      ['catch-up', 300],
      ['promote', 600],
      ['rejoin', 600],
    ]);
    expect(tracker.outcome).toEqual({ kind: 'switched' });
  });

  it("is refused with the target's own reason, and ignores failures from before it began", () => {
    const old = { node: 'node2', task: 'promote', exitReason: 'an old one' };
    let tracker = startTracking('node1', 'node2', 1000, { ...before, failures: [old] });
    tracker = track(
      tracker,
      at(200, { unpromoted: ['node1', 'node2', 'node3'], sourceRecord: handedOver, failures: [old] }),
    );
    expect(tracker.outcome).toBeNull();
    const refusal = { node: 'node2', task: 'promote', exitReason: 'node2 at TL 2 @ 0/1 is behind node1' };
    tracker = track(tracker, at(1400, { unpromoted: ['node1', 'node2', 'node3'], failures: [old, refusal] }));
    expect(tracker.outcome).toEqual({ kind: 'refused', reason: 'node2 at TL 2 @ 0/1 is behind node1' });
  });

  it('refuses to start what makes no sense', () => {
    const snapshot = {
      at: 0,
      online: ['node1', 'node2'],
      promoted: ['node1'],
      unpromoted: ['node2'],
      failures: [],
      records: new Map(),
    };
    expect(precheck(snapshot, 'pgsql-ha', 'node1')).toBe('node1 is already the primary of pgsql-ha');
    expect(precheck(snapshot, 'pgsql-ha', 'node9')).toBe('node9 is not an online cluster node');
    expect(precheck({ ...snapshot, promoted: [] }, 'pgsql-ha', 'node2')).toMatch(/no promoted instance/);
    expect(precheck(snapshot, 'pgsql-ha', 'node2')).toBeNull();
    expect(precheck(snapshot, 'pgsql-ha', 'node2', 1000)).toBeNull();
    expect(precheck(snapshot, 'pgsql-ha', 'node2', -1_000_000)).toMatch(/^node2 may not be promoted now/);
  });
});
