/** The controller's records: op-digests as Pacemaker computes them, checked against crm_simulate's own. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failCountAfter, operationDigest, operationEntries } from '../../lab/executor/operationRecord.ts';
import { parseTransitionGraph } from '../../src/adapter/transitionGraph.ts';
import { OfflineCluster } from '../fixtures/offlineCluster.ts';

describe('operation records', () => {
  let cluster: OfflineCluster;
  beforeAll(async () => {
    cluster = await OfflineCluster.create({ nodes: 2, clones: [{ id: 'st-ha', primitive: 'st' }] });
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('computes the op-digest crm_simulate records for every operation of a bootstrap', async () => {
    const graphPath = join(cluster.dir, 'bootstrap.graph.xml');
    await cluster.simulate(['--simulate'], graphPath);
    const graph = parseTransitionGraph(await readFile(graphPath, 'utf8'), graphPath);
    const cib = await readFile(cluster.cib, 'utf8');
    const recorded = [...cib.matchAll(/<lrm_rsc_op [^>]*operation_key="([^"]+)"[^>]*op-digest="([0-9a-f]+)"/g)];
    let compared = 0;
    for (const action of graph.actions) {
      if (action.kind !== 'rsc_op' || action.operation === 'notify' || action.resource === null) continue;
      const interval = Number(action.attribute('CRM_meta_interval') ?? '0');
      const key = `${action.resource}_${action.operation}_${interval}`;
      const digests = recorded.filter((match) => match[1] === key).map((match) => match[2]);
      // A probe's entry is the resource's `_last_0`, which the start that follows replaces.
      if (digests.length === 0 && interval === 0 && action.operation === 'monitor') continue;
      expect(digests.length, key).toBeGreaterThan(0);
      expect(digests).toContain(operationDigest(action.attributes, interval));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });

  it('writes the entry and, for a failure, the last-failure entry, with the real expected result', () => {
    const outcome = {
      resource: 'st',
      node: 'node1',
      operation: 'monitor',
      interval: 15000,
      actionId: 7,
      transition: 3,
      expectedRc: 8,
      rc: 7,
      callId: 12,
      attributes: { CRM_meta_timeout: '20000', state_root: '/x "y"' },
      exitReason: 'not running',
      at: 1_700_000_000_000,
      ms: 12.4,
    };
    const [entry, failure] = operationEntries(outcome, true);
    expect(entry).toMatch(/^<lrm_rsc_op id="st_monitor_15000" operation_key="st_monitor_15000" /);
    expect(entry).toContain('transition-key="7:3:8:');
    expect(entry).toContain('transition-magic="0:7;7:3:8:');
    expect(entry).toContain('rc-code="7"');
    expect(failure).toMatch(/^<lrm_rsc_op id="st_last_failure_0" /);
    expect(operationEntries({ ...outcome, operation: 'start', interval: 0 }, false)).toHaveLength(1);
    expect(operationEntries({ ...outcome, operation: 'start', interval: 0 }, false)[0]).toMatch(/id="st_last_0"/);
    // The two halves of a migration keep their own entries, failed or not, as the controller records them
    // (pcmk__create_history_xml), with both nodes; _last_0 keeps the operation before them.
    const migrateFrom = {
      ...outcome,
      operation: 'migrate_from',
      interval: 0,
      attributes: { ...outcome.attributes, CRM_meta_migrate_source: 'node1', CRM_meta_migrate_target: 'node2' },
    };
    for (const failed of [false, true]) {
      const entries = operationEntries(migrateFrom, failed);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatch(/^<lrm_rsc_op id="st_migrate_from_0" operation_key="st_migrate_from_0" /);
      expect(entries[0]).toContain('migrate_source="node1" migrate_target="node2"');
    }
    expect(failCountAfter('monitor', 1)).toBe(2);
    expect(failCountAfter('start', 0)).toBe(1_000_000);
  });
});
