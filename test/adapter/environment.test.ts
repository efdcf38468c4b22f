/** The agent's spelling of the facts: its OCF environment gives the same facts as the graph it came from. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTransition } from '../../src/adapter/classify.ts';
import { environmentOfAction, factsFromEnvironment } from '../../src/adapter/environmentFacts.ts';
import { factsFromGraph } from '../../src/adapter/graphFacts.ts';
import { parseTransitionGraph } from '../../src/adapter/transitionGraph.ts';
import { adapterCases, buildCase } from '../fixtures/adapterCases.ts';
import type { OfflineCluster } from '../fixtures/offlineCluster.ts';

const withNotify = adapterCases.filter((testCase) =>
  ['move', 'ban', 'standby', 'monitor-failure', 'node-fenced', 'first-promotion'].includes(testCase.name),
);

describe.each(withNotify.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
  let cluster: OfflineCluster;
  let graphXml: string;
  beforeAll(async () => {
    const built = await buildCase(testCase);
    cluster = built.cluster;
    graphXml = await readFile(built.graph, 'utf8');
  });
  afterAll(() => cluster.dispose());

  it('every promote, demote and notify action of the clone sees the facts the graph shows', () => {
    const graph = parseTransitionGraph(graphXml, 'graph');
    const fromGraph = factsFromGraph(graph).clones.find((clone) => clone.primitive === 'pgsql');
    const actions = graph.actions.filter(
      (action) => action.resource === 'pgsql' && ['promote', 'demote', 'notify'].includes(action.operation),
    );
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      const env = environmentOfAction('pgsql', action.attributes);
      const facts = factsFromEnvironment(action.operation, env);
      const [clone] = facts.clones;
      expect({ ...clone, resource: 'pgsql-ha' }).toEqual(fromGraph);
      const fromEnvironment = classifyTransition(facts).map(({ kind, cause }) => ({ kind, cause }));
      const fromGraphAlone = classifyTransition(factsFromGraph({ ...graph, transition: null })).map(
        ({ kind, cause }) => ({
          kind,
          cause,
        }),
      );
      if (testCase.name === 'node-fenced') {
        // The fencing is a crm_event of the graph; no notify list of a promote names it, so an agent
        // sees what a standby or a failure would show, and says so.
        expect(fromEnvironment).toEqual([{ kind: 'switchover', cause: 'standby-or-failure' }]);
      } else {
        expect(fromEnvironment).toEqual(fromGraphAlone);
      }
    }
  });

  it('reads an operation named like an Object.prototype member as any unknown operation', () => {
    const renamed = (promote: string, demote: string) =>
      factsFromGraph(
        parseTransitionGraph(
          graphXml
            .replaceAll('operation="promote"', `operation="${promote}"`)
            .replaceAll('operation="demote"', `operation="${demote}"`),
          'graph',
        ),
      );
    expect(renamed('valueOf', 'constructor')).toEqual(renamed('unknown-a', 'unknown-b'));
  });
});

describe('environments', () => {
  it('reads the legacy master/slave names and the empty list " "', () => {
    const facts = factsFromEnvironment('promote', {
      OCF_RESOURCE_INSTANCE: 'pgsql:1',
      OCF_RESKEY_CRM_meta_on_node: 'node2',
      OCF_RESKEY_CRM_meta_notify_master_uname: 'node1',
      OCF_RESKEY_CRM_meta_notify_demote_uname: 'node1 ',
      OCF_RESKEY_CRM_meta_notify_promote_uname: ' node2',
      OCF_RESKEY_CRM_meta_notify_stop_uname: ' ',
      OCF_RESKEY_CRM_meta_notify_start_uname: ' ',
    });
    expect(facts.clones[0]).toEqual({
      resource: 'pgsql',
      primitive: 'pgsql',
      promotedBefore: ['node1'],
      promote: ['node2'],
      demote: ['node1'],
      stop: [],
      start: [],
      listed: true,
    });
    expect(classifyTransition(facts)[0]).toMatchObject({ kind: 'switchover', from: 'node1', to: 'node2' });
  });

  it('without notify lists knows only its own action', () => {
    const facts = factsFromEnvironment('promote', {
      OCF_RESOURCE_INSTANCE: 'pgsql',
      OCF_RESKEY_CRM_meta_on_node: 'node3',
    });
    expect(classifyTransition(facts)).toEqual([
      expect.objectContaining({ kind: 'promotion', from: null, to: 'node3', cause: 'election' }),
    ]);
  });

  it('keeps hostile values as data and refuses an environment without a resource', () => {
    const hostile = '$(touch /tmp/pwned); `id`';
    const facts = factsFromEnvironment('promote', {
      OCF_RESOURCE_INSTANCE: 'pgsql',
      OCF_RESKEY_CRM_meta_on_node: hostile,
      OCF_RESKEY_CRM_meta_notify_promote_uname: hostile,
    });
    expect(facts.clones[0]?.promote).toEqual(['$(touch', '/tmp/pwned);', '`id`']);
    expect(() => factsFromEnvironment('promote', {})).toThrow('environment: OCF_RESOURCE_INSTANCE is not set');
  });
});
