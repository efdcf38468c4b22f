import { describe, expect, it } from 'vitest';
import { comparePositions, formatLsn, formatPosition, isAtLeast, parseLsn } from '../../models/position.ts';

describe('WAL positions', () => {
  it('orders by timeline first, then LSN', () => {
    expect(comparePositions({ timeline: 2, lsn: 0 }, { timeline: 1, lsn: 9_000 })).toBe(1);
    expect(comparePositions({ timeline: 2, lsn: 5 }, { timeline: 2, lsn: 6 })).toBe(-1);
    expect(comparePositions({ timeline: 3, lsn: 7 }, { timeline: 3, lsn: 7 })).toBe(0);
    expect(isAtLeast({ timeline: 3, lsn: 7 }, { timeline: 3, lsn: 7 })).toBe(true);
  });

  it("reads and writes PostgreSQL's LSN text form", () => {
    expect(parseLsn('0/3000028')).toBe(0x3000028);
    expect(parseLsn('1/0')).toBe(2 ** 32);
    expect(formatLsn(0x3000060)).toBe('0/3000060');
    expect(formatLsn(parseLsn('A/FF00FF00'))).toBe('A/FF00FF00');
    expect(formatPosition({ timeline: 2, lsn: 0x3000028 })).toBe('TL 2 @ 0/3000028');
  });

  it('rejects what is not an LSN with a one-line reason', () => {
    for (const bad of ['', '0/', '/1', '0x1/2', '1/2/3', 'G/0', '123456789/0', '0/3000028; rm -rf /']) {
      expect(() => parseLsn(bad)).toThrow(/^invalid LSN: .* \(expected two hexadecimal halves/);
    }
  });
});
