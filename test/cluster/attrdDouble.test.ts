/**
 * The agent tests' attrd_updater double (lab/local/offlineTools.ts) against the real attrd_updater and
 * pacemaker-attrd of a real three-node cluster: the same private updates, queries (one node, every node,
 * an attribute no node has), deletes and a lost node give the same exit statuses and the same values.
 * What the double forgets is what the daemon forgets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAttributeQuery } from '../../agent/cluster/privateAttributes.ts';
import { forgetNodeAttributes, offlineTools } from '../../lab/local/offlineTools.ts';
import { NamespaceCluster } from '../../lab/netcluster/namespaceCluster.ts';

const nodes = ['node1', 'node2', 'node3'];
const name = 'promigrate-double-check';

interface Answer {
  readonly code: number;
  readonly values: Record<string, string>;
}

describe('the attrd_updater double against the real one', () => {
  let cluster: NamespaceCluster;
  let dir = '';
  let sbin = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-attrd-double-'));
    sbin = await offlineTools(join(dir, 'sbin'));
    cluster = await NamespaceCluster.create({
      nodes,
      tag: 'pmga',
      subnet: '10.213.10',
      promigrateOcfRoot: resolve('dist/ocf'),
    });
    for (const node of nodes) cluster.startNode(node);
    await cluster.waitOnline('node1', nodes);
  }, 120_000);
  afterAll(async () => {
    await cluster?.dispose();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  const answer = (code: number | undefined, stdout: string): Answer => ({
    code: code ?? -1,
    values: Object.fromEntries(parseAttributeQuery(stdout, name)),
  });
  const real = async (on: string, args: string[]): Promise<Answer> => {
    const result = await cluster.exec(on, ['attrd_updater', '--private', ...args]);
    return answer(result.exitCode, String(result.stdout));
  };
  const double = async (args: string[]): Promise<Answer> => {
    const result = await execa(join(sbin, 'attrd_updater'), ['--private', ...args], {
      env: { PROMIGRATE_ATTRD_DIR: join(dir, 'attrd') },
      reject: false,
    });
    return answer(result.exitCode, result.stdout);
  };
  /** Both tools, the real one asked until it agrees (its updates are asynchronous) or 5 s have passed. */
  const both = async (args: string[], on = 'node1') => {
    const expected = await double(args);
    let found = await real(on, args);
    const deadline = Date.now() + 5_000;
    while (JSON.stringify(found) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
      found = await real(on, args);
    }
    return { real: found, double: expected };
  };

  it('updates, queries, deletes and a missing attribute: the same statuses and values', async () => {
    for (const [node, value] of [
      ['node1', 'v1 one'],
      ['node2', 'v1 two'],
      ['node3', 'v1 three'],
    ] as const) {
      const update = await both(['--node', node, '--name', name, '--update', value]);
      expect(update.real).toEqual(update.double);
    }
    const all = await both(['--name', name, '--query', '--all'], 'node3');
    expect(all.double).toEqual({ code: 0, values: { node1: 'v1 one', node2: 'v1 two', node3: 'v1 three' } });
    expect(all.real).toEqual(all.double);
    const one = await both(['--node', 'node2', '--name', name, '--query']);
    expect(one.real).toEqual(one.double);
    const missing = await both(['--name', 'promigrate-never-set', '--query', '--all']);
    expect(missing.double).toEqual({ code: 78, values: {} });
    expect(missing.real).toEqual(missing.double);
    const deleted = await both(['--node', 'node3', '--name', name, '--delete']);
    expect(deleted.real).toEqual(deleted.double);
    const afterDelete = await both(['--name', name, '--query', '--all'], 'node2');
    expect(afterDelete.double.values).toEqual({ node1: 'v1 one', node2: 'v1 two' });
    expect(afterDelete.real).toEqual(afterDelete.double);
  }, 60_000);

  it("a lost node's attributes are gone from the daemon, as from the double", async () => {
    await cluster.killNode('node2');
    await forgetNodeAttributes(join(dir, 'attrd'), 'node2');
    const after = await both(['--name', name, '--query', '--all']);
    expect(after.double.values).toEqual({ node1: 'v1 one' });
    const deadline = Date.now() + 30_000;
    let found = after.real;
    while (JSON.stringify(found) !== JSON.stringify(after.double) && Date.now() < deadline) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
      found = await real('node1', ['--name', name, '--query', '--all']);
    }
    expect(found).toEqual(after.double);
  }, 60_000);
});
