/**
 * A real Pacemaker + Corosync cluster on this one machine: each node is a network + mount + UTS namespace
 * with its own address on a bridge (inside a hub namespace: nothing leaves the machine), private /dev/shm,
 * /run, /var/lib/pacemaker, /var/lib/corosync, /var/log and /etc/corosync, and an OCF tree with promigrate's
 * agents bound over /usr/lib/ocf. corosync (knet) and pacemakerd run in each node with a clean environment.
 * Everything is ended by PID and namespace: on dispose, and at the next create when a run was killed
 * (the namespaces carry the run's tag, and only processes inside them are ended).
 * ../shared/notes/cluster-on-one-machine.md has what was measured to work here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseClusterStatus } from '../../src/adapter/clusterStatus.ts';
import { type CorosyncNode, corosyncConf } from './corosyncConf.ts';
import { fenceAgentName, fenceAgentScript, fenceMapLine } from './fenceAgent.ts';
import { patchedPacemakerMounts } from './patchedPacemaker.ts';
import { installToolFaults } from './toolFaults.ts';

export interface NamespaceClusterSpec {
  readonly nodes: readonly string[];
  /** Names the namespaces (`<tag>-hub`, `<tag>-<node>`): a run finds and ends what a killed run left. */
  readonly tag: string;
  /** The first three octets of the nodes' addresses: node N is `<subnet>.N`/24. */
  readonly subnet: string;
  /** An OCF root with promigrate's agents installed (install-agents), bound in beside the distribution's. */
  readonly promigrateOcfRoot: string;
  /**
   * A patched Pacemaker build tree (upstream/pacemaker/build.sh) bound over the distribution's libraries and
   * controller in every node (patchedPacemaker.ts); Debian's Pacemaker without it.
   */
  readonly pacemaker?: string;
}

export interface NetNode extends CorosyncNode {
  readonly namespace: string;
  readonly dir: string;
  holder: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const privateDirs = ['/var/lib/pacemaker', '/var/lib/corosync', '/var/log', '/etc/corosync', '/var/lib/postgresql'];
/** What a booting node finds in its tmpfs /run (the private /dev/shm starts empty). */
const runDirs =
  'mkdir -p /run/crm /run/pacemaker /run/corosync /run/postgresql && chown postgres:postgres /run/postgresql';
/**
 * Daemons run under a child subreaper that reaps at once: on this machine PID 1 reaps orphans 1–2 s late,
 * and an agent that still sees a killed postmaster's PID misjudges the instance (see the shared notes).
 * prctl(PR_SET_CHILD_SUBREAPER) is syscall 157 option 36 on x86_64; perl is in every Debian (perl-base).
 */
const subreaper = [
  'perl',
  '-e',
  'syscall(157, 36, 1, 0, 0, 0) == 0 or die "prctl: $!\\n"; my $c = fork() // die "fork: $!\\n";' +
    ' if ($c == 0) { exec { $ARGV[0] } @ARGV or die "exec: $!\\n" }' +
    ' $SIG{TERM} = sub { kill "TERM", $c }; my $s = 0;' +
    ' for (;;) { my $p = wait(); if ($p == -1) { last if $!{ECHILD}; next } $s = $? >> 8 if $p == $c } exit $s;',
  '--',
];
const cleanPath = '/usr/sbin:/usr/bin:/sbin:/bin';
const initialCib =
  '<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">' +
  '<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">' +
  '<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>' +
  '<nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="2s"/>' +
  '</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>';

async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await execa('id', ['-u', user]);
  const { stdout: gid } = await execa('id', ['-g', user]);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Ends every process inside a namespace of ours, then the namespace itself. */
async function removeNamespace(namespace: string): Promise<void> {
  const { stdout } = await execa('ip', ['netns', 'pids', namespace], { reject: false });
  for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  await execa('ip', ['netns', 'del', namespace], { reject: false });
}

async function ourNamespaces(tag: string): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${tag}-`));
}

/** The OCF tree every node sees at /usr/lib/ocf: the distribution's providers plus promigrate's. */
async function ocfTree(root: string, promigrate: string): Promise<string[]> {
  const mounts: string[] = [];
  for (const part of ['resource.d', 'lib']) {
    await mkdir(join(root, part), { recursive: true });
    for (const entry of await readdir(join('/usr/lib/ocf', part)).catch(() => [] as string[])) {
      if (entry === 'promigrate') continue;
      await mkdir(join(root, part, entry), { recursive: true });
      mounts.push(`mount --bind /usr/lib/ocf/${part}/${entry} ${root}/${part}/${entry}`);
    }
    await mkdir(join(root, part, 'promigrate'), { recursive: true });
    mounts.push(`mount --bind ${promigrate}/${part}/promigrate ${root}/${part}/promigrate`);
  }
  return mounts;
}

export class NamespaceCluster {
  private constructor(
    readonly spec: NamespaceClusterSpec,
    readonly root: string,
    readonly nodes: readonly NetNode[],
  ) {}

  static async create(spec: NamespaceClusterSpec): Promise<NamespaceCluster> {
    for (const namespace of await ourNamespaces(spec.tag)) await removeNamespace(namespace);
    const root = await mkdtemp(join(tmpdir(), `${spec.tag}-`));
    const nodes: NetNode[] = spec.nodes.map((name, index) => ({
      name,
      id: index + 1,
      address: `${spec.subnet}.${index + 1}`,
      namespace: `${spec.tag}-${name}`,
      dir: join(root, name),
      holder: 0,
    }));
    const cluster = new NamespaceCluster(spec, root, nodes);
    try {
      await cluster.network();
      await mkdir(join(root, 'fence'));
      await writeFile(join(root, 'fence', fenceAgentName), fenceAgentScript, { mode: 0o755 });
      await installToolFaults(join(root, 'fence'));
      for (const node of nodes) await cluster.holder(node);
      await cluster.writeFenceMap();
      return cluster;
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
  }

  private async network(): Promise<void> {
    const hub = this.hubNamespace;
    const ip = (args: string[]) => execa('ip', args);
    await ip(['netns', 'add', hub]);
    await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    await ip(['-n', hub, 'link', 'set', 'lo', 'up']);
    // The hub's own address: clients (the test's write load) run in the hub and reach every node from it.
    await ip(['-n', hub, 'addr', 'add', `${this.hubAddress}/24`, 'dev', 'br0']);
    for (const node of this.nodes) {
      await ip(['netns', 'add', node.namespace]);
      const outside = this.outsideLink(node);
      await ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.namespace]);
      await ip(['link', 'set', outside, 'netns', hub]);
      await ip(['-n', hub, 'link', 'set', outside, 'master', 'br0', 'up']);
      await ip(['-n', node.namespace, 'addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
      await ip(['-n', node.namespace, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', node.namespace, 'link', 'set', 'lo', 'up']);
    }
  }

  /** The long-lived process whose mount and UTS namespaces are the node's. */
  private async holder(node: NetNode): Promise<void> {
    const pacemaker = await ids('hacluster');
    for (const dir of privateDirs) await mkdir(join(node.dir, dir), { recursive: true });
    for (const sub of ['cib', 'pengine', 'blackbox', 'cores']) {
      await mkdir(join(node.dir, '/var/lib/pacemaker', sub), { recursive: true });
    }
    await mkdir(join(node.dir, '/var/log/pacemaker'), { recursive: true });
    await mkdir(join(node.dir, '/var/log/corosync'), { recursive: true });
    // As Debian's crmsh package leaves it: crm refuses to start without its log directory.
    await mkdir(join(node.dir, '/var/log/crmsh'), { recursive: true });
    const postgres = await ids('postgres');
    await chown(join(node.dir, '/var/lib/postgresql'), postgres.uid, postgres.gid);
    for (const dir of [
      '/var/lib/pacemaker',
      '/var/lib/pacemaker/cib',
      '/var/lib/pacemaker/pengine',
      '/var/lib/pacemaker/blackbox',
      '/var/lib/pacemaker/cores',
      '/var/log/pacemaker',
      '/var/log/crmsh',
    ]) {
      await chown(join(node.dir, dir), pacemaker.uid, pacemaker.gid);
    }
    // A first CIB with the options a cluster without fence devices needs, and a short election wait
    // (the 20 s default of dc-deadtime dominates a bring-up). No digest file: pacemaker-based accepts that.
    const cib = join(node.dir, '/var/lib/pacemaker/cib/cib.xml');
    await writeFile(cib, initialCib, { mode: 0o600 });
    await chown(cib, pacemaker.uid, pacemaker.gid);
    await writeFile(
      join(node.dir, '/etc/corosync/corosync.conf'),
      corosyncConf(this.spec.tag, this.nodes, '/var/log/corosync/corosync.log'),
    );
    const ocf = join(node.dir, 'ocf');
    const script = [
      'set -e',
      `hostname ${node.name}`,
      'mount -t tmpfs tmpfs /dev/shm',
      'mount -t tmpfs tmpfs /run',
      runDirs,
      ...privateDirs.map((dir) => `mount --bind ${join(node.dir, dir)} ${dir}`),
      ...(await ocfTree(ocf, this.spec.promigrateOcfRoot)),
      `mount --rbind ${ocf} /usr/lib/ocf`,
      ...(this.spec.pacemaker === undefined ? [] : await patchedPacemakerMounts(this.spec.pacemaker)),
      // The fence agent where pacemaker-fenced looks for one, without writing the host's /usr/sbin (and the
      // chaos campaign's failing cluster tools, which run the real ones unless a fault is set: toolFaults.ts).
      `mount -t overlay overlay -o lowerdir=${join(this.root, 'fence')}:/usr/sbin /usr/sbin`,
      'echo ready',
      'exec sleep infinity',
    ].join('\n');
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        node.namespace,
        'unshare',
        '--mount',
        '--uts',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        script,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 10_000;
    while (!output.includes('ready')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`node ${node.name} did not come up: ${output.trim()}`);
      await sleep(20);
    }
    // The holder is `sleep` now (exec), with the pid the spawn returned: ip netns exec and unshare exec too.
    node.holder = child.pid as number;
    child.unref();
  }

  /** The fence device's map (see fenceAgent.ts): node, network namespace inode, holder pid. */
  get fenceMap(): string {
    return join(this.root, 'fence-map');
  }

  private async writeFenceMap(): Promise<void> {
    const lines: string[] = [];
    for (const node of this.nodes) {
      const { stdout } = await execa('stat', ['-L', '-c', '%i', `/run/netns/${node.namespace}`]);
      lines.push(fenceMapLine(node.name, Number(stdout.trim()), node.holder));
    }
    await writeFile(this.fenceMap, lines.join(''));
  }

  /** Whether anything but the holder runs in the node (a fenced or killed node runs nothing). */
  async isPoweredOn(name: string): Promise<boolean> {
    const node = this.node(name);
    const { stdout } = await execa('ip', ['netns', 'pids', node.namespace], { reject: false });
    return stdout
      .split('\n')
      .filter(Boolean)
      .some((pid) => Number(pid) !== node.holder);
  }

  /** Cuts the node's link at the hub's bridge: its processes keep running, nobody reaches it (a partition). */
  async cutLink(name: string, cut: boolean): Promise<void> {
    const node = this.node(name);
    await execa('ip', ['-n', this.hubNamespace, 'link', 'set', this.outsideLink(node), cut ? 'down' : 'up']);
  }

  private outsideLink(node: NetNode): string {
    return `v${node.id}-${this.spec.tag}`.slice(0, 15);
  }

  get hubAddress(): string {
    return `${this.spec.subnet}.254`;
  }

  get hubNamespace(): string {
    return `${this.spec.tag}-hub`;
  }

  /** A long-running client in the hub namespace (it reaches the nodes' addresses), env cleared. */
  spawnInHub(argv: readonly string[]) {
    return spawn('ip', ['netns', 'exec', this.hubNamespace, 'env', '-i', `PATH=${cleanPath}`, ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  node(name: string): NetNode {
    const node = this.nodes.find((each) => each.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** `nsenter` arguments that run `argv` inside a node (its network, mount and UTS namespaces), env cleared. */
  private inside(name: string, argv: readonly string[], env: Readonly<Record<string, string>>): string[] {
    const node = this.node(name);
    const variables = Object.entries(env).map(([key, value]) => `${key}=${value}`);
    return ['-t', String(node.holder), '-m', '-u', '-n', '--', 'env', '-i', `PATH=${cleanPath}`, ...variables, ...argv];
  }

  /** A command inside a node, with a clean environment. */
  exec(name: string, argv: readonly string[], env: Readonly<Record<string, string>> = {}) {
    return execa('nsenter', this.inside(name, argv, env), { stdin: 'ignore', reject: false });
  }

  /** A daemon inside a node, detached, its output in the node's /var/log. */
  private daemon(
    name: string,
    argv: readonly string[],
    log: string,
    env: Readonly<Record<string, string>> = {},
  ): number {
    const shell = ['sh', '-c', `exec "$@" >>${log} 2>&1`, 'daemon', ...subreaper, ...argv];
    const child = spawn('nsenter', this.inside(name, shell, env), { stdio: 'ignore', detached: true });
    child.unref();
    return child.pid as number;
  }

  /** corosync, then pacemakerd, in the node. */
  startNode(name: string): void {
    this.daemon(name, ['corosync', '-f'], '/var/log/corosync/stdout.log');
    this.daemon(name, ['pacemakerd', '--foreground'], '/var/log/pacemaker/stdout.log', {
      PCMK_logfile: '/var/log/pacemaker/pacemaker.log',
      PCMK_logfacility: 'none',
      // Debug logging floods execd with some agents (see the notes); PROMIGRATE_HA_DEBUG=1 asks for it.
      HA_debug: process.env.PROMIGRATE_HA_DEBUG === '1' ? '1' : '0',
    });
  }

  /** pacemakerd asked to stop (SIGTERM: it stops the node's resources first), then corosync; waits for both. */
  async stopPacemaker(name: string, ms = 90_000): Promise<void> {
    for (const daemon of ['pacemakerd', 'corosync']) {
      const pids = await this.pidsOf(name, daemon);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {}
      }
      const deadline = Date.now() + ms;
      while (pids.some((pid) => existsSync(`/proc/${pid}`))) {
        if (Date.now() > deadline) throw new Error(`${daemon} on ${name} did not stop within ${ms} ms`);
        await sleep(100);
      }
    }
  }

  /** PIDs of the processes called `comm` in the node's network namespace. */
  async pidsOf(name: string, comm: string): Promise<number[]> {
    const { stdout } = await execa('ip', ['netns', 'pids', this.node(name).namespace], { reject: false });
    const found: number[] = [];
    for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
      if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === comm) found.push(pid);
    }
    return found;
  }

  /** The node as the cluster reports it from `from`: online nodes by name. */
  async onlineNodes(from: string): Promise<string[]> {
    const { stdout } = await this.exec(from, ['crm_mon', '--one-shot', '--output-as=xml']);
    // Not answering yet (no XML) is no node online, as the loops that wait for membership expect.
    try {
      return parseClusterStatus(stdout, '', '').online.slice();
    } catch {
      return [];
    }
  }

  async waitOnline(from: string, expected: readonly string[], ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const online = await this.onlineNodes(from).catch(() => [] as string[]);
      if (expected.every((node) => online.includes(node))) return;
      if (Date.now() > deadline)
        throw new Error(`nodes online from ${from}: ${online.join(',') || 'none'}, expected ${expected.join(',')}`);
      await sleep(250);
    }
  }

  /**
   * The machine died: every process of the node's namespace killed at once and its link down, so that no
   * address it held (a primary address) answers any more.
   */
  async killNode(name: string): Promise<void> {
    const node = this.node(name);
    await execa('ip', ['-n', node.namespace, 'link', 'set', 'eth0', 'down']);
    const { stdout } = await execa('ip', ['netns', 'pids', node.namespace], { reject: false });
    for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
      if (pid === node.holder) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }

  /**
   * A killed node boots again: fresh tmpfs /run and /dev/shm (a reboot clears them; stale IPC files would
   * mislead the daemons), only its own address on the link, link up, corosync and pacemakerd started.
   */
  async bootNode(name: string): Promise<void> {
    const node = this.node(name);
    const reboot = `umount -l /run; umount -l /dev/shm; mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /dev/shm && ${runDirs}`;
    const booted = await execa('nsenter', ['-t', String(node.holder), '-m', '--', 'sh', '-c', reboot], {
      reject: false,
    });
    if (booted.exitCode !== 0) throw new Error(`node ${name} did not reboot: ${booted.stderr}`);
    await execa('ip', ['-n', node.namespace, 'addr', 'flush', 'dev', 'eth0']);
    await execa('ip', ['-n', node.namespace, 'addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
    await execa('ip', ['-n', node.namespace, 'link', 'set', 'eth0', 'up']);
    this.startNode(name);
  }

  /** pacemakerd is asked to stop (SIGTERM) in every node, then whatever is left in the namespaces ends. */
  async dispose(): Promise<void> {
    const pacemakers: number[] = [];
    for (const namespace of await ourNamespaces(this.spec.tag)) {
      const { stdout } = await execa('ip', ['netns', 'pids', namespace], { reject: false });
      for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
        const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        if (comm.trim() === 'pacemakerd') pacemakers.push(pid);
      }
    }
    for (const pid of pacemakers) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    const deadline = Date.now() + 10_000;
    while (pacemakers.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await sleep(100);
    for (const namespace of await ourNamespaces(this.spec.tag)) await removeNamespace(namespace);
    if (process.env.PROMIGRATE_KEEP_TEST_DIRS !== '1') await rm(this.root, { recursive: true, force: true });
  }
}
