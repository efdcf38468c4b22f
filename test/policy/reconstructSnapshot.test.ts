/**
 * The model's state rebuilt from persisted facts at each agent action: for every resting state the model can
 * reach (2 and 3 nodes), rebuilding from its facts gives the same state, and the same decision for every event.
 */
import { describe, expect, it } from 'vitest';
import { buildModelGraph, nodeNamesFor } from '../../src/paths/modelGraph.ts';
import { type ModelSnapshot, pathEvents } from '../../src/paths/pathEvents.ts';
import { decide } from '../../src/policy/decide.ts';
import { InconsistentFacts, type PersistedFacts, reconstructSnapshot } from '../../src/policy/reconstructSnapshot.ts';

const isResting = (snapshot: ModelSnapshot) =>
  snapshot.matches('promoted') ||
  snapshot.matches('unpromoted') ||
  snapshot.matches({ switchover: 'handedOver' }) ||
  snapshot.matches({ switchover: 'aborted' });

/** What survives between actions, read off a model snapshot. */
function persistedFactsOf(snapshot: ModelSnapshot): PersistedFacts {
  const { nodes, handover, demotedAt, intent, lastPromoted } = snapshot.context;
  return {
    nodes,
    handover,
    handoverAborted: snapshot.matches({ switchover: 'aborted' }),
    demotedAt,
    intent,
    lastPromoted,
  };
}

function comparable(decision: ReturnType<typeof decide>) {
  return decision.kind === 'unhandled'
    ? decision
    : { to: decision.to, transition: decision.transition, instructions: decision.instructions };
}

describe.each([2, 3])('rebuilding the model from persisted facts, %i nodes', (count) => {
  const graph = buildModelGraph(nodeNamesFor(count));
  const states = [...graph.states.values()].filter(isResting);

  it('covers most of the reachable states', () => {
    expect(states.length).toBeGreaterThan(graph.states.size / 2);
  });

  it('gives the same state, the same facts and the same decision for every event', () => {
    for (const snapshot of states) {
      const rebuilt = reconstructSnapshot(persistedFactsOf(snapshot));
      expect(rebuilt.value).toEqual(snapshot.value);
      expect(rebuilt.context).toEqual(snapshot.context);
      for (const event of pathEvents(snapshot)) {
        expect(comparable(decide(rebuilt, event))).toEqual(comparable(decide(snapshot, event)));
      }
    }
  });
});

describe('inconsistent facts', () => {
  const node = {
    online: true,
    instance: 'promoted' as const,
    position: { timeline: 2, lsn: 5 },
    positionKnown: true,
    streaming: false,
    diverged: false,
  };
  const facts: PersistedFacts = {
    nodes: { node1: node, node2: node },
    handover: null,
    handoverAborted: false,
    demotedAt: null,
    intent: null,
    lastPromoted: null,
  };

  it('two promoted instances are refused, not guessed', () => {
    expect(() => reconstructSnapshot(facts)).toThrow(new InconsistentFacts('two promoted instances: node1, node2'));
  });

  it('no node at all is refused; one node is a legitimate view (clone-max=1, or notify=false)', () => {
    expect(() => reconstructSnapshot({ ...facts, nodes: {} })).toThrow(new InconsistentFacts('no node is known'));
    expect(reconstructSnapshot({ ...facts, nodes: { node1: node } }).value).toBe('promoted');
  });
});
