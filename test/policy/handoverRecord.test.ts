/** The hand-over record's text form: round trips, and refuses what it cannot trust. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatHandoverRecord,
  type HandoverRecord,
  HandoverRecordError,
  parseHandoverRecord,
} from '../../src/policy/handoverRecord.ts';

const record: HandoverRecord = {
  handover: { source: 'node1', target: 'node2', final: { timeline: 2, lsn: 0x3000028 } },
  verdict: 'pending',
};

describe('hand-over record', () => {
  it('has one readable text form', () => {
    expect(formatHandoverRecord(record)).toBe('v1 source=node1 target=node2 timeline=2 lsn=0/3000028 verdict=pending');
    expect(parseHandoverRecord('v1 verdict=aborted lsn=1/0 timeline=7 target=b source=a')).toEqual({
      handover: { source: 'a', target: 'b', final: { timeline: 7, lsn: 2 ** 32 } },
      verdict: 'aborted',
    });
  });

  it('round-trips every record', () => {
    const node = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(
        node,
        node,
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('pending' as const, 'aborted' as const),
        (source, target, timeline, lsn, verdict) => {
          fc.pre(source !== target);
          const value: HandoverRecord = { handover: { source, target, final: { timeline, lsn } }, verdict };
          expect(parseHandoverRecord(formatHandoverRecord(value))).toEqual(value);
        },
      ),
    );
  });

  it.each([
    '',
    'v2 source=a target=b timeline=1 lsn=0/1 verdict=pending',
    'v1 source=a target=b timeline=1 lsn=0/1',
    'v1 source=a target=a timeline=1 lsn=0/1 verdict=pending',
    'v1 source=a source=c target=b timeline=1 lsn=0/1 verdict=pending',
    'v1 source=$(id) target=b timeline=1 lsn=0/1 verdict=pending',
    'v1 source=a target=b timeline=0 lsn=0/1 verdict=pending',
    'v1 source=a target=b timeline=1.5 lsn=0/1 verdict=pending',
    'v1 source=a target=b timeline=1 lsn=zz verdict=pending',
    'v1 source=a target=b timeline=1 lsn=0/1 verdict=maybe',
    'v1 source=a target=b timeline=1 lsn=0/1 verdict=pending junk',
  ])('refuses %j', (text) => {
    expect(() => parseHandoverRecord(text)).toThrow(HandoverRecordError);
  });

  it('refuses to write a node name that would not read back', () => {
    expect(() => formatHandoverRecord({ ...record, handover: { ...record.handover, target: 'node 2' } })).toThrow(
      new HandoverRecordError('node name "node 2" cannot be recorded'),
    );
  });
});
