/**
 * The executor with Pacemaker's real scheduler and promigrate's real reference agent: a two-node
 * promotable clone of `ocf:promigrate:stateful` bootstraps to one promoted instance, then a
 * `crm_resource --move --promoted` moves the role as a switchover that keeps every acknowledged write.
 */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterStore } from '../../agent/stateful/counterDatabase.ts';
import { Controller } from '../../src/executor/controller.ts';

const nodes = ['node1', 'node2'];

describe('the executor', () => {
  let dir: string;
  let controller: Controller;
  const store = (node: string) => new CounterStore(join(dir, 'counters'), node);
  const roles = async () =>
    Object.fromEntries(await Promise.all(nodes.map(async (node) => [node, (await store(node).read()).role])));
  const transcript = (reports: Awaited<ReturnType<Controller['settle']>>) =>
    reports
      .flatMap((report) =>
        report.executed.map(
          ({ action, result, ok }) =>
            `${report.transition} ${action.node ?? ''} ${action.key} ${ok ? 'ok' : 'FAILED'} ${result?.stderr ?? ''}`,
        ),
      )
      .join('\n');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-executor-'));
    const sbin = join(dir, 'sbin');
    await mkdir(sbin);
    // crm_attribute rewrites the CIB file in place: every writer takes the controller's lock.
    await writeFile(
      join(sbin, 'crm_attribute'),
      '#!/bin/sh\nexec flock "$CIB_file.lock" /usr/sbin/crm_attribute "$@"\n',
    );
    await chmod(join(sbin, 'crm_attribute'), 0o755);
    for (const double of ['attrd_updater', 'crm_node'])
      await symlink(resolve('test/double', double), join(sbin, double));
    const cib = join(dir, 'cib.xml');
    await writeFile(
      cib,
      `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1"><configuration><crm_config><cluster_property_set id="options"><nvpair id="options-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes>${nodes.map((node) => `<node id="${node}" uname="${node}"/>`).join('')}</nodes><resources><clone id="st-ha"><meta_attributes id="st-ha-meta"><nvpair id="st-ha-promotable" name="promotable" value="true"/><nvpair id="st-ha-notify" name="notify" value="true"/></meta_attributes><primitive id="st" class="ocf" provider="promigrate" type="stateful"><instance_attributes id="st-params"><nvpair id="st-root" name="state_root" value="${join(dir, 'counters')}"/><nvpair id="st-state" name="state_dir" value="${join(dir, 'state')}"/></instance_attributes><operations><op id="st-monitor-promoted" name="monitor" interval="15s" role="Promoted"/><op id="st-monitor-unpromoted" name="monitor" interval="16s" role="Unpromoted"/></operations></primitive></clone></resources><constraints/></configuration><status/></cib>`,
    );
    await execa(
      'crm_simulate',
      ['--xml-file', cib, ...nodes.flatMap((node) => ['--node-up', node]), '--save-output', cib],
      {
        env: { CIB_shadow_dir: dir, PCMK_logfacility: 'none' },
      },
    );
    controller = new Controller({
      cib,
      workDir: dir,
      ocfRoot: (provider) => (provider === 'promigrate' ? resolve('dist/ocf') : '/usr/lib/ocf'),
      environment: () => ({
        PATH: `${sbin}:/usr/sbin:/usr/bin:/sbin:/bin`,
        HA_SBIN_DIR: sbin,
        PROMIGRATE_ATTRD_DIR: join(dir, 'attrd'),
        PROMIGRATE_NODES: nodes.join(' '),
        CIB_file: cib,
        PCMK_logfacility: 'none',
        HA_debug: '0',
      }),
    });
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps the clone to one promoted instance and a standby, with the scheduler deciding', async () => {
    const reports = await controller.settle();
    expect(reports.length).toBeGreaterThan(0);
    const state = await roles();
    expect(Object.values(state).sort(), transcript(reports)).toEqual(['primary', 'standby']);
  });

  it('moves the promoted role with crm_resource --move --promoted: a switchover that keeps every write', async () => {
    const state = await roles();
    const source = nodes.find((node) => state[node] === 'primary') as string;
    const target = nodes.find((node) => node !== source) as string;
    let last = { timeline: 0, lsn: 0 };
    for (let index = 0; index < 20; index++) last = await store(source).acknowledgeWrite();
    await controller.tool('crm_resource', ['--move', '--promoted', '--resource', 'st-ha', '--node', target]);
    const reports = await controller.settle();
    const log = transcript(reports);
    expect(await roles(), log).toEqual({ [source]: 'standby', [target]: 'primary' });
    expect((await store(target).read()).position.lsn).toBeGreaterThanOrEqual(last.lsn);
    expect(log).toMatch(/switchover .*→.*: target received \S+ ≥ \S+, promoting/);
    await controller.tool('crm_resource', ['--clear', '--resource', 'st-ha']);
    await controller.settle();
    expect(await roles()).toEqual({ [source]: 'standby', [target]: 'primary' });
  });
});
