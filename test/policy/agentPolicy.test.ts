/** The pure pieces the model-based suite made the agents need: the operator's intent, sibling timelines. */
import { describe, expect, it } from 'vitest';
import { forkPosition, hasDiverged, newestRecordedTimeline } from '../../src/policy/agentFacts.ts';
import { formatIntent, intentInForce, intentProperty } from '../../src/policy/intent.ts';
import type { NodeRecord } from '../../src/policy/nodeRecord.ts';

describe("the operator's intent", () => {
  const now = 1_800_000_000_000;

  it('is in force until it expires, and then is no intent at all', () => {
    const text = formatIntent('node2', now + 60_000);
    expect(text).toBe(`target=node2 expires=${(now + 60_000) / 1000}`);
    expect(intentInForce(text, now)).toEqual({ target: 'node2' });
    expect(intentInForce(text, now + 60_000)).toBeNull();
    expect(intentProperty('pgsql')).toBe('promigrate-intent-pgsql');
  });

  it('is ignored when absent or not written by promigrate', () => {
    for (const text of [null, '', 'node2', 'target=node2', 'target=no de expires=1', 'target=node2 expires=soon']) {
      expect(intentInForce(text, now), String(text)).toBeNull();
    }
  });
});

describe('divergence', () => {
  const records = (entries: Record<string, NodeRecord>) => new Map(Object.entries(entries));

  it('past the fork point on the timeline another node was promoted from', () => {
    const others = records({ node1: { fork: { timeline: 1, lsn: 100 } } });
    expect(hasDiverged({ timeline: 1, lsn: 101 }, others, 'node2')).toBe(true);
    expect(hasDiverged({ timeline: 1, lsn: 100 }, others, 'node2')).toBe(false);
  });

  it('two nodes promoted from the same timeline: the one that starts as a standby has diverged', () => {
    // node2 was promoted from TL 1 onto its own TL 2; node1, cut off, never saw it and was promoted from TL 1 too.
    const both = records({ node1: { fork: { timeline: 1, lsn: 50 } }, node2: { fork: { timeline: 1, lsn: 50 } } });
    expect(hasDiverged({ timeline: 2, lsn: 60 }, both, 'node2')).toBe(true);
  });

  it('a node whose own record went with its node still knows its promotion from the copies, and so do the others', () => {
    // node3 was promoted from TL 93 onto 94 and lost with its record; node2, the switchover's source, was
    // promoted from TL 93 too — onto 95, since the copy of node3's promotion told it 94 was taken.
    const copy = { node: 'node3', fork: { timeline: 93, lsn: 1000 }, onto: 94 };
    const after = records({
      node1: { promoted: copy },
      node2: { fork: { timeline: 93, lsn: 1000 }, onto: 95, promoted: copy },
    });
    expect(hasDiverged({ timeline: 94, lsn: 1200 }, after, 'node3')).toBe(true);
    expect(newestRecordedTimeline(records({ node1: { promoted: copy } }), new Map())).toBe(94);
    // Without the copies, nothing said node3 was ever promoted: it looked like a standby of TL 94.
    expect(
      hasDiverged(
        { timeline: 94, lsn: 1200 },
        records({ node2: { fork: { timeline: 93, lsn: 1000 }, onto: 95 } }),
        'node3',
      ),
    ).toBe(false);
  });

  it('a target promoted after a catch-up wait forks where it caught up: the old primary at its final position has not diverged', () => {
    const before = { timeline: 2, lsn: 90 };
    const final = { timeline: 2, lsn: 100 };
    const fork = forkPosition(before, final);
    expect(fork).toEqual(final);
    expect(hasDiverged(final, records({ node2: { fork } }), 'node1')).toBe(false);
    // The position observed before the wait, recorded as the fork, would have refused the old primary.
    expect(hasDiverged(final, records({ node2: { fork: before } }), 'node1')).toBe(true);
    expect(forkPosition(final, before)).toEqual(final);
  });

  it('a standby that follows the newest primary on its timeline has not', () => {
    // node2 was promoted long ago (TL 1 → 2); node1 took over from TL 2 (→ 3); node2 follows on TL 3.
    const history = records({ node1: { fork: { timeline: 2, lsn: 80 } }, node2: { fork: { timeline: 1, lsn: 50 } } });
    expect(hasDiverged({ timeline: 3, lsn: 90 }, history, 'node2')).toBe(false);
    expect(hasDiverged(null, history, 'node2')).toBe(false);
  });
});
