/** The promotion scores a new primary sets at once (pure): itself first, the old primary lowered, never raised. */
import { describe, expect, it } from 'vitest';
import { newPrimaryScores } from '../../agent/promotable/scores.ts';

describe('a new primary’s scores', () => {
  it('put it first and lower the primary before it to a standby’s score', () => {
    expect(newPrimaryScores('node2', ['node1', 'node1'], new Map([['node1', 1001]]))).toEqual({
      node2: 1001,
      node1: 1000,
    });
  });

  it('never raise a node whose promote was refused or that has no score', () => {
    const current = new Map<string, number | null>([
      ['node3', -1_000_000],
      ['node1', null],
    ]);
    expect(newPrimaryScores('node2', ['node3', 'node1', null, 'node2'], current)).toEqual({ node2: 1001 });
    expect(newPrimaryScores('node2', ['node1'], new Map([['node1', 990]]))).toEqual({ node2: 1001 });
  });
});
