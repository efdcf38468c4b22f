/**
 * A cluster of `nodes` on this machine, as a CIB file in a directory of its own, driven by the executor's
 * Controller with Pacemaker's real scheduler: the nodes are brought online, the agents get the offline
 * cluster tools (lab/local/offlineTools.ts), and promigrate's agents come from `promigrateOcfRoot` (the
 * build's dist/ocf), every other provider from /usr/lib/ocf.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { GraphAction } from '../../src/adapter/transitionGraph.ts';
import { forgetNodeAttributes, offlineTools } from '../local/offlineTools.ts';
import { Controller, type ExecutedAction } from './controller.ts';
import { emulatedScheduler, type SchedulerInterface } from './schedulerInterface.ts';

export interface LocalCluster {
  readonly dir: string;
  readonly cib: string;
  readonly controller: Controller;
  /**
   * The node leaves the cluster unexpectedly (crm_simulate --node-fail): what a dead machine looks like. With
   * fencing, the scheduler's next transition fences it.
   */
  failNode(node: string): Promise<void>;
  /** The node (re)joins after a reboot: online again, with no resource history and no transient attributes. */
  joinNode(node: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface LocalClusterSpec {
  readonly nodes: readonly string[];
  /** The CIB's `<resources>` content. */
  readonly resources: string;
  readonly promigrateOcfRoot: string;
  /** Told of every action once it is done (the demo prints the agents' decisions from it). */
  readonly onAction?: (executed: ExecutedAction) => void | Promise<void>;
  readonly onAgentLine?: (action: GraphAction, line: string) => void;
  /**
   * Powers a node off: what a fence device does to a machine (here: the node's local instance killed).
   * Given, the cluster runs with fencing as production clusters do — stonith-enabled=true, a fence device
   * in the CIB, and the scheduler's fencing actions carried out (Controller.fenceNode); a stand-in only for
   * the power switch. Without it, stonith-enabled=false (an extra configuration, never the only one).
   */
  readonly powerOff?: (node: string) => Promise<void>;
  /** Whose scheduler plans the transitions: Debian's (the default) or the patched build's. */
  readonly scheduler?: SchedulerInterface;
}

/** The fence device of a local cluster: the scheduler needs one to fence; the executor plays the fencer. */
function fenceDevice(nodes: readonly string[]): string {
  return (
    '<primitive id="fence-local" class="stonith" type="fence_promigrate_local">' +
    `<instance_attributes id="fence-local-params"><nvpair id="fence-local-hosts" name="pcmk_host_list" value="${nodes.join(' ')}"/></instance_attributes>` +
    '<operations><op id="fence-local-monitor" name="monitor" interval="60s" timeout="20s"/></operations></primitive>'
  );
}

export async function localCluster(spec: LocalClusterSpec): Promise<LocalCluster> {
  const { nodes, resources } = spec;
  const dir = await mkdtemp(join(tmpdir(), 'promigrate-executor-'));
  const sbin = await offlineTools(join(dir, 'sbin'));
  const cib = join(dir, 'cib.xml');
  const nodeList = nodes.map((node) => `<node id="${node}" uname="${node}"/>`).join('');
  const fencing = spec.powerOff !== undefined;
  const attrd = join(dir, 'attrd');
  await writeFile(
    cib,
    `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="${nodes[0]}"><configuration><crm_config><cluster_property_set id="options"><nvpair id="options-stonith" name="stonith-enabled" value="${fencing}"/></cluster_property_set></crm_config><nodes>${nodeList}</nodes><resources>${resources}${fencing ? fenceDevice(nodes) : ''}</resources><constraints/></configuration><status/></cib>`,
  );
  const powerOff = spec.powerOff;
  const scheduler = spec.scheduler ?? emulatedScheduler;
  await execa(
    scheduler.crmSimulate,
    ['--xml-file', cib, ...nodes.flatMap((node) => ['--node-up', node]), '--save-output', cib],
    {
      env: { CIB_shadow_dir: dir, PCMK_logfacility: 'none', ...scheduler.environment },
    },
  );
  const controller = new Controller({
    scheduler,
    // PROMIGRATE_EXECUTOR_LOG=1 prints each transition and action result on stderr, to look at.
    ...(process.env.PROMIGRATE_EXECUTOR_LOG === '1'
      ? { log: (line: string) => process.stderr.write(`${line}\n`) }
      : {}),
    cib,
    workDir: dir,
    ocfRoot: (provider) => (provider === 'promigrate' ? spec.promigrateOcfRoot : '/usr/lib/ocf'),
    ...(spec.onAction === undefined ? {} : { onAction: spec.onAction }),
    ...(spec.onAgentLine === undefined ? {} : { onAgentLine: spec.onAgentLine }),
    ...(powerOff === undefined
      ? {}
      : {
          fence: async (node: string) => {
            await powerOff(node);
            await forgetNodeAttributes(attrd, node);
          },
        }),
    environment: () => ({
      PATH: `${sbin}:/usr/sbin:/usr/bin:/sbin:/bin`,
      HA_SBIN_DIR: sbin,
      PROMIGRATE_ATTRD_DIR: attrd,
      PROMIGRATE_NODES: nodes.join(' '),
      CIB_file: cib,
      PCMK_logfacility: 'none',
      HA_debug: '0',
    }),
  });
  /** What a node's controller sets at join: the feature set it was built with (the migration's gate). */
  const joined = (node: string) =>
    controller.tool('crm_attribute', [
      '--node',
      node,
      '--lifetime',
      'reboot',
      '--name',
      '#feature-set',
      '--update',
      scheduler.featureSet,
    ]);
  for (const node of nodes) await joined(node);
  return {
    dir,
    cib,
    controller,
    failNode: async (node) => {
      await controller.tool('crm_simulate', ['--xml-file', cib, '--node-fail', node, '--save-output', cib]);
      // The node left the membership: pacemaker-attrd forgets its attributes, private ones included, and
      // the controller erases its transient attributes; its resource history waits for the fencing.
      await forgetNodeAttributes(attrd, node);
      await controller.erase(`//node_state[@id='${node}']/transient_attributes`);
      controller.forgetNode(node);
    },
    joinNode: async (node) => {
      for (const part of ['lrm', 'transient_attributes']) {
        await controller.erase(`//node_state[@id='${node}']/${part}`);
      }
      await controller.tool('crm_simulate', ['--xml-file', cib, '--node-up', node, '--save-output', cib]);
      await joined(node);
    },
    // PROMIGRATE_KEEP_TEST_DIRS=1 keeps the CIB and the transition graphs of a failed run to look at.
    dispose: async () => {
      if (process.env.PROMIGRATE_KEEP_TEST_DIRS !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
}
