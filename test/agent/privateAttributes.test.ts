/**
 * Private attributes as the agents use them, against the attrd_updater STAND-IN of lab/local/offlineTools.ts
 * (no pacemaker-attrd runs in these tests; the real tool is exercised in the cluster tests). The query
 * parser reads the real format.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterToolError } from '../../agent/cluster/clusterTool.ts';
import { parseAttributeQuery, privateAttributes } from '../../agent/cluster/privateAttributes.ts';
import { forgetNodeAttributes, offlineTools, setAttrdReachable } from '../../lab/local/offlineTools.ts';

describe('private attributes', () => {
  let store = '';
  let sbinDir = '';
  beforeAll(async () => {
    store = await mkdtemp(join(tmpdir(), 'promigrate-attrd-'));
    sbinDir = await offlineTools(join(store, 'sbin'));
  });
  afterAll(() => rm(store, { recursive: true, force: true }));

  const on = (node: string) =>
    privateAttributes({ resource: 'pgsql', node, sbinDir, env: { PROMIGRATE_ATTRD_DIR: join(store, 'attrd') } });

  it('are set per node, read from every node, and removed', async () => {
    await on('node1').set(
      'promigrate-handover-pgsql',
      'v1 source=node1 target=node2 timeline=2 lsn=0/3000028 verdict=pending',
    );
    await on('node2').set('promigrate-handover-pgsql', 'v1 other');
    expect(await on('node3').queryAll('promigrate-handover-pgsql')).toEqual(
      new Map([
        ['node1', 'v1 source=node1 target=node2 timeline=2 lsn=0/3000028 verdict=pending'],
        ['node2', 'v1 other'],
      ]),
    );
    await on('node2').remove('promigrate-handover-pgsql');
    expect([...(await on('node1').queryAll('promigrate-handover-pgsql')).keys()]).toEqual(['node1']);
    expect((await on('node1').queryAll('nothing')).size).toBe(0);
  });

  it('an attribute no node has is "none"; an attrd that cannot be reached is an error, never "none"', async () => {
    await on('node1').set('promigrate-pgsql', 'v1 one');
    expect((await on('node1').queryAll('never-set')).size).toBe(0);
    await setAttrdReachable(join(store, 'attrd'), false);
    try {
      await expect(on('node1').queryAll('promigrate-pgsql')).rejects.toThrow(/reading promigrate-pgsql: .*attrd/);
      await expect(on('node1').queryAll('never-set')).rejects.toThrow(ClusterToolError);
      await expect(on('node1').set('promigrate-pgsql', 'v1 two')).rejects.toThrow(ClusterToolError);
    } finally {
      await setAttrdReachable(join(store, 'attrd'), true);
    }
    expect(await on('node2').queryAll('promigrate-pgsql')).toEqual(new Map([['node1', 'v1 one']]));
  });

  it("a lost or fenced node's attributes are forgotten, private ones included, as pacemaker-attrd forgets them", async () => {
    await on('node1').set('promigrate-lost', 'v1 one');
    await on('node2').set('promigrate-lost', 'v1 two');
    await forgetNodeAttributes(join(store, 'attrd'), 'node1');
    expect(await on('node3').queryAll('promigrate-lost')).toEqual(new Map([['node2', 'v1 two']]));
  });

  it('refuse values the query format could not give back', async () => {
    await expect(on('node1').set('x', 'a"b')).rejects.toThrow(ClusterToolError);
    await expect(on('node1').set('x', 'a\nb')).rejects.toThrow(ClusterToolError);
  });

  it('are read from every node inside an action too, where execd names the node in the environment', async () => {
    // attrd_updater (2.1.5) takes OCF_RESKEY_CRM_meta_on_node as the node to answer for, --all or not:
    // an agent that passed its environment on saw only its own record in a real cluster.
    await on('node1').set('promigrate-pgsql', 'v1 one');
    await on('node2').set('promigrate-pgsql', 'v1 two');
    process.env.OCF_RESKEY_CRM_meta_on_node = 'node3';
    try {
      expect(await on('node3').queryAll('promigrate-pgsql')).toEqual(
        new Map([
          ['node1', 'v1 one'],
          ['node2', 'v1 two'],
        ]),
      );
    } finally {
      delete process.env.OCF_RESKEY_CRM_meta_on_node;
    }
  });

  it('parse the query output of attrd_updater, ignoring other names, noise and empty values', () => {
    // A node without the attribute is answered with value="": it has none.
    const output =
      'name="a" host="node1" value="x y"\nname="b" host="node2" value="z"\nwarning: something\nname="a" host="node3" value=""\n';
    expect(parseAttributeQuery(output, 'a')).toEqual(new Map([['node1', 'x y']]));
  });
});
