/**
 * Classified migrations become the model's events, and the model accepts them: each adapter case, played
 * on the statechart from "its source is promoted", reaches the state the classification implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { factsOf } from '../../models/cluster.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import type { Migration } from '../../src/adapter/classify.ts';
import { explainInput } from '../../src/adapter/explain.ts';
import { modelEvents } from '../../src/adapter/modelEvents.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { decide } from '../../src/policy/decide.ts';
import { adapterCases, buildCase } from '../fixtures/adapterCases.ts';
import type { OfflineCluster } from '../fixtures/offlineCluster.ts';
import { play } from '../models/helpers.ts';

const finalState: Record<Migration['kind'], string> = {
  switchover: 'switchover.rejoining',
  failover: 'promoted',
  recovery: 'promoted',
  promotion: 'promoted',
  demotion: 'unpromoted',
};

describe('classified migrations on the model', () => {
  const built: Array<{ name: string; cluster: OfflineCluster; migrations: Migration[] }> = [];
  beforeAll(async () => {
    for (const testCase of adapterCases.filter((candidate) => candidate.expected.length > 0)) {
      const { cluster, cib } = await buildCase(testCase);
      built.push({ name: testCase.name, cluster, migrations: await explainInput(await readInput(cib)) });
    }
  });
  afterAll(async () => {
    for (const { cluster } of built) await cluster.dispose();
  });

  it('every case maps to events the model accepts, ending where the classification says', () => {
    expect(built.length).toBeGreaterThanOrEqual(10);
    for (const { name, migrations } of built) {
      for (const migration of migrations) {
        const nodes = ['node1', 'node2', 'node3', 'node4'];
        let [snapshot] = initialTransition(roleMigrationMachine, { nodes });
        if (migration.from !== null)
          snapshot = play(nodes, [{ type: 'PROMOTE', node: migration.from }], snapshot).snapshot;
        for (const event of modelEvents(migration)) {
          if (event.type === 'MIGRATE_FROM') {
            // The database fact between the two halves: the source's shutdown checkpoint.
            const source = snapshot.context.handover?.source ?? '';
            const position = factsOf(snapshot.context, source)?.position ?? { timeline: 1, lsn: 0 };
            snapshot = play(nodes, [{ type: 'SHUTDOWN_CHECKPOINT', position }], snapshot).snapshot;
          }
          const decision = decide(snapshot, event);
          expect(decision.kind, `${name}: ${event.type}`).toBe('transition');
          if (decision.kind === 'transition') snapshot = decision.next;
        }
        expect(
          snapshot.matches(finalState[migration.kind] as never),
          `${name}: ${JSON.stringify(snapshot.value)}`,
        ).toBe(true);
      }
    }
  });
});
