/** The published node record's text form: round trips, and refuses what it cannot trust. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNodeRecord, type NodeRecord, NodeRecordError, parseNodeRecord } from '../../src/policy/nodeRecord.ts';

const record: NodeRecord = {
  position: { position: { timeline: 2, lsn: 0x3000028 }, at: 1764090000000 },
  handover: {
    handover: { source: 'node1', target: 'node2', final: { timeline: 2, lsn: 0x3000060 } },
    verdict: 'pending',
  },
  demoted: { timeline: 2, lsn: 0x3000060 },
  fork: { timeline: 1, lsn: 0x2000000 },
};

describe('node record', () => {
  it('has one readable text form', () => {
    expect(formatNodeRecord(record)).toBe(
      'v1 position=2:0/3000028@1764090000000 handover=node1>node2@2:0/3000060:pending demoted=2:0/3000060 fork=1:0/2000000',
    );
    expect(parseNodeRecord('v1 fork=7:1/0')).toEqual({ fork: { timeline: 7, lsn: 2 ** 32 } });
    // Promoted onto timeline 9: 8 was taken by another node's promotion (never reused).
    expect(parseNodeRecord('v1 fork=7:1/0 onto=9')).toEqual({ fork: { timeline: 7, lsn: 2 ** 32 }, onto: 9 });
    expect(formatNodeRecord({ fork: { timeline: 7, lsn: 1 }, onto: 9 })).toBe('v1 fork=7:0/1 onto=9');
    // A copy of node3's promotion on another node's record (node3's own goes with its node).
    expect(parseNodeRecord('v1 promoted=node3@93:0/65940C0>94')).toEqual({
      promoted: { node: 'node3', fork: { timeline: 93, lsn: 0x65940c0 }, onto: 94 },
    });
    expect(parseNodeRecord('v1')).toEqual({});
  });

  it('round-trips every record', () => {
    const node = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const position = fc.record({
      timeline: fc.integer({ min: 1, max: 2 ** 31 }),
      lsn: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    });
    const records = fc.record(
      {
        position: fc.record({ position, at: fc.integer({ min: 0, max: 2 ** 45 }) }),
        handover: fc
          .tuple(node, node, position, fc.constantFrom('pending' as const, 'aborted' as const))
          .filter(([source, target]) => source !== target)
          .map(([source, target, final, verdict]) => ({ handover: { source, target, final }, verdict })),
        demoted: position,
        fork: position,
        promoted: fc.record({ node, fork: position, onto: fc.integer({ min: 1, max: 2 ** 31 }) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(records, (value) => {
        expect(parseNodeRecord(formatNodeRecord(value))).toEqual(value);
      }),
    );
  });

  it.each([
    '',
    'v2 fork=1:0/1',
    'v1 fork=0:0/1',
    'v1 fork=1.5:0/1',
    'v1 fork=1:zz',
    'v1 fork=1:0/1 fork=1:0/2',
    'v1 position=1:0/1',
    'v1 position=1:0/1@soon',
    'v1 handover=a>a@1:0/1:pending',
    'v1 handover=a>b@1:0/1:maybe',
    'v1 handover=$(id)>b@1:0/1:pending',
    'v1 junk',
    'v1 colour=blue',
    'v1 onto=0',
    'v1 promoted=node3@93:0/1',
    'v1 promoted=node 3@93:0/1>94',
    'v1 promoted=node3@93:0/1>0',
    'v1 onto=-2',
    'v1 onto=3x',
  ])('refuses %j', (text) => {
    expect(() => parseNodeRecord(text)).toThrow(NodeRecordError);
  });

  it('refuses to write a node name that would not read back', () => {
    const handover = {
      handover: { source: 'node1', target: 'node 2', final: { timeline: 1, lsn: 1 } },
      verdict: 'pending' as const,
    };
    expect(() => formatNodeRecord({ handover })).toThrow(new NodeRecordError('node name "node 2" cannot be recorded'));
  });
});
