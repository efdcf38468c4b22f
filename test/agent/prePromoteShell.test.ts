/**
 * The pgsql agent's pre-promote notify answered by its shell entry point (agent/pgsql/prePromoteNotify.sh),
 * on real PostgreSQL 15: the position it publishes is the one the bundled agent publishes (primary, standby,
 * standby on a later timeline), without Node (an OCF root without the bundle still answers), and anything
 * it cannot do falls to the bundle. With primary_conninfo managed (a template), the old primary follows the
 * target from its migrate_to, the other standby from the pre-promote notify, both straight from the new
 * primary's own address; the shell and TypeScript expand a template alike.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConninfo } from '../../agent/pgsql/conninfo.ts';
import { runAsExecd } from '../../lab/executor/agentProcess.ts';
import type { TransitionLists } from '../fixtures/agentHarness.ts';
import { notifyMeta } from '../fixtures/agentHarness.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2', 'node3'];
const basePort = 25621;
const positionName = 'promigrate-position-pgsql';

/** The managed primary_conninfo, switched on per test (the harness reads parameters at every action). */
const managed = { template: '' };
const parameters = {
  get primary_conninfo() {
    return managed.template;
  },
  node_hosts: 'node1=127.0.0.1 node2=127.0.0.1 node3=127.0.0.1',
};

describe('ocf:promigrate:pgsql pre-promote notify in the shell', () => {
  let s: PgsqlScenario;
  let bare: string;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, basePort, parameters as unknown as Record<string, string>);
    // An OCF root with the entry point and no bundle: what it answers, it answered without Node.
    bare = await mkdtemp(join(tmpdir(), 'promigrate-bare-'));
    await mkdir(join(bare, 'resource.d', 'promigrate'), { recursive: true });
    await copyFile(resolve('dist/ocf/resource.d/promigrate/pgsql'), join(bare, 'resource.d/promigrate/pgsql'));
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
    if (bare !== undefined) await rm(bare, { recursive: true, force: true });
  });

  const prePromote = (lists: TransitionLists) => ({
    ...notifyMeta(lists, nodes),
    notify_type: 'pre',
    notify_operation: 'promote',
  });
  const published = async (node: string) =>
    ((await s.harness.records(positionName))[node] ?? '').replace(/^v1 position=/, '').replace(/@\d+$/, '');
  /** The notify through the bare root (shell only) and through the bundle itself (Node). */
  const viaShell = (node: string, lists: TransitionLists) =>
    runAsExecd(
      join(bare, 'resource.d/promigrate/pgsql'),
      'notify',
      s.harness.environment(node, 'notify', prePromote(lists)),
    );
  const viaBundle = (node: string, lists: TransitionLists) =>
    execa(process.execPath, [resolve('dist/ocf/lib/promigrate/pgsql.cjs'), 'notify'], {
      env: s.harness.environment(node, 'notify', prePromote(lists)),
      extendEnv: false,
      reject: false,
    });

  /** The shell's publication equals the bundle's, taken before and after it (retried if the WAL moved). */
  async function expectSameAsBundle(node: string, lists: TransitionLists): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await viaBundle(node, lists);
      const before = await published(node);
      const shell = await viaShell(node, lists);
      expect(shell.code, shell.stderr).toBe(0);
      expect(shell.stderr).toMatch(/published TL \d+ @ \S+ for the election/);
      const fromShell = await published(node);
      await viaBundle(node, lists);
      if (before !== (await published(node))) continue;
      expect(fromShell).toBe(before);
      expect(fromShell).toMatch(/^\d+:[0-9A-F]+\/[0-9A-F]+$/);
      return;
    }
    throw new Error(`${node}'s position kept moving`);
  }

  it('publishes what the bundle publishes, on the primary and on a standby, without Node', async () => {
    await s.waitFor(
      'standbys streaming',
      async () => (await s.streamsFrom('node1', 'node2')) && s.streamsFrom('node1', 'node3'),
    );
    const lists = { active: nodes, promoted: ['node1'], promote: ['node2'] };
    await expectSameAsBundle('node1', lists);
    await expectSameAsBundle('node3', lists);
  });

  it('with primary_conninfo managed: the old primary and the other standby stream from the target itself', async () => {
    const port = s.instance('node2').port;
    managed.template = `host=%h port=${port} user=postgres application_name=%n connect_timeout=2`;
    try {
      const { promote } = await s.harness.switchover('node1', 'node2');
      expect(promote.code, s.harness.transcript()).toBe(0);
      await s.waitFor(
        'node1 and node3 streaming from node2',
        async () => (await s.streamsFrom('node2', 'node1')) && s.streamsFrom('node2', 'node3'),
      );
      for (const node of ['node1', 'node3']) {
        expect(await s.instance(node).query('SHOW primary_conninfo')).toBe(
          renderConninfo(managed.template, '127.0.0.1', node),
        );
      }
      expect(s.harness.transcript()).toMatch(/node1 demote[\s\S]*following node2/);
    } finally {
      managed.template = '';
    }
  });

  it('publishes a standby on a later timeline as the bundle does', async () => {
    await expectSameAsBundle('node1', { active: nodes, promoted: ['node2'], promote: ['node3'] });
  });

  it('expands the template as TypeScript does (%h, %n, %%, quotes)', async () => {
    managed.template = `host=%h port=${s.instance('node2').port} user=postgres application_name='%n 100%%' connect_timeout=2`;
    try {
      const shell = await viaShell('node3', { active: nodes, promoted: ['node2'], promote: ['node2'] });
      expect(shell.code, shell.stderr).toBe(0);
      expect(shell.stderr).toContain('following node2');
      expect(await s.instance('node3').query('SHOW primary_conninfo')).toBe(
        renderConninfo(managed.template, '127.0.0.1', 'node3'),
      );
      await s.waitFor(
        'node3 streaming as "node3 100%"',
        async () =>
          (await s
            .instance('node2')
            .query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'node3 100%'")) === '1',
      );
    } finally {
      managed.template = '';
    }
  });

  it.each([
    ['host=%h %x', 'only %h, %n and %% may follow a % sign'],
    ['host=10.0.0.9', 'the template must name the primary’s host as %h'],
    ['host=%h\u0001', 'control characters are not allowed'],
  ])('leaves a template the bundle refuses to the bundle: %j', async (template, problem) => {
    managed.template = template;
    try {
      const lists = { active: nodes, promoted: ['node2'], promote: ['node2'] };
      const shell = await viaShell('node3', lists);
      expect([shell.code, shell.stderr]).toEqual([1, expect.stringContaining('pgsql.cjs')]);
      const bundle = await viaBundle('node3', lists);
      expect([bundle.exitCode, bundle.stderr]).toEqual([6, expect.stringContaining(problem)]);
    } finally {
      managed.template = '';
    }
  });

  it('leaves to the bundle what it cannot answer: a server that is down', async () => {
    await s.instance('node3').stop('fast');
    const lists = { active: nodes, promoted: [], promote: ['node1'] };
    const shell = await viaShell('node3', lists);
    // The bare root has no bundle: the shell gave up and handed over.
    expect(shell.code).toBe(1);
    expect(shell.stderr).toContain('pgsql.cjs');
    const [, , full] = await s.harness.notify('pre', 'promote', lists);
    expect(full?.stderr, s.harness.transcript()).toMatch(/published TL \d+ @ \S+ for the election/);
    await s.instance('node3').start();
  });
});
