/** The agents' decision lines, as the model-based suite reads them. */
import { describe, expect, it } from 'vitest';
import { parseAgentDecision } from '../../lab/mbt/agentDecision.ts';

describe('an agent decision line', () => {
  it('names the event and the state it led to, moved or not', () => {
    expect(
      parseAgentDecision('pgsql(pgsql)[demote]: MIGRATE_TO promoted → switchover.demotingSource: migrate_to: x'),
    ).toEqual({
      event: 'MIGRATE_TO',
      from: 'promoted',
      to: 'switchover.demotingSource',
      text: 'MIGRATE_TO promoted → switchover.demotingSource: migrate_to: x',
    });
    const stayed = parseAgentDecision('pgsql(pgsql)[promote]: PROMOTE switchover.handedOver: promote refused: y');
    expect([stayed?.from, stayed?.to]).toEqual(['switchover.handedOver', 'switchover.handedOver']);
  });

  it('has no state when the model had no transition, and other lines are no decision', () => {
    expect(parseAgentDecision('pgsql(pgsql)[promote]: MIGRATE_FROM: the model has no transition')).toEqual({
      event: 'MIGRATE_FROM',
      from: null,
      to: null,
      text: 'MIGRATE_FROM: the model has no transition',
    });
    expect(parseAgentDecision('pgsql(pgsql)[monitor]: promotion scores node1=1001')).toBeNull();
    expect(parseAgentDecision('pgsql(pgsql)[promote]: debug: facts: {}')).toBeNull();
    expect(parseAgentDecision('ocf-exit-reason:something')).toBeNull();
  });
});
