/**
 * The namespace nodes' fence agent (a stand-in for a power switch) on its own, with real namespaces and
 * processes: it answers the fence-agents API (metadata, list, monitor, status, off), and "off" leaves no
 * process of the node running but the harness's holder. Before this test, a shell status slip made "off"
 * report success having killed nothing.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceAgentName, fenceAgentScript, fenceMapLine } from '../../lab/netcluster/fenceAgent.ts';

const namespace = 'pmgf-node1';

describe(fenceAgentName, () => {
  let dir = '';
  let agent = '';
  let map = '';
  let holder = 0;
  const spawned: number[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-fence-'));
    agent = join(dir, fenceAgentName);
    await writeFile(agent, fenceAgentScript);
    await chmod(agent, 0o755);
    await execa('ip', ['netns', 'del', namespace], { reject: false });
    await execa('ip', ['netns', 'add', namespace]);
    const inNode = () => {
      const child = spawn('ip', ['netns', 'exec', namespace, 'sleep', '600'], { stdio: 'ignore', detached: true });
      child.unref();
      spawned.push(child.pid as number);
      return child.pid as number;
    };
    holder = inNode();
    for (let index = 0; index < 3; index++) inNode();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { stdout } = await execa('stat', ['-L', '-c', '%i', `/run/netns/${namespace}`]);
    map = join(dir, 'fence-map');
    await writeFile(map, fenceMapLine('node1', Number(stdout.trim()), holder));
  });
  afterAll(async () => {
    for (const pid of spawned) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await execa('ip', ['netns', 'del', namespace], { reject: false });
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  /** The agent as pacemaker-fenced runs it: options as key=value lines on stdin. */
  const run = (options: Record<string, string>) =>
    execa(agent, [], {
      input: Object.entries(options)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
      reject: false,
      env: {},
    });
  const alive = (pid: number) => execa('kill', ['-0', String(pid)], { reject: false }).then((r) => r.exitCode === 0);

  it('prints its metadata with the actions pacemaker-fenced needs', async () => {
    const { stdout, exitCode } = await run({ action: 'metadata' });
    expect(exitCode).toBe(0);
    for (const action of ['on', 'off', 'reboot', 'status', 'list', 'monitor', 'metadata']) {
      expect(stdout).toContain(`<action name="${action}"`);
    }
  });

  it('lists its nodes, monitors, and refuses a node it does not know', async () => {
    expect((await run({ action: 'list', map })).stdout.trim()).toBe('node1,');
    expect((await run({ action: 'monitor', map })).exitCode).toBe(0);
    expect((await run({ action: 'off', port: 'node9', map })).exitCode).toBe(1);
    expect((await run({ action: 'status', port: 'node1' })).exitCode).toBe(1);
  });

  it('powers the node off: every process of its namespace killed but the holder; status on, then off', async () => {
    expect(await Promise.all(spawned.map(alive))).toEqual([true, true, true, true]);
    const on = await run({ action: 'status', port: 'node1', map });
    expect({ code: on.exitCode, out: on.stdout.trim() }).toEqual({ code: 0, out: 'Status: ON' });
    expect((await run({ action: 'reboot', plug: 'node1', map, nodename: 'node1' })).exitCode).toBe(0);
    const { stdout } = await execa('ip', ['netns', 'pids', namespace]);
    expect(stdout.split('\n').filter(Boolean).map(Number)).toEqual([holder]);
    const off = await run({ action: 'status', port: 'node1', map });
    expect({ code: off.exitCode, out: off.stdout.trim() }).toEqual({ code: 2, out: 'Status: OFF' });
    expect((await run({ action: 'on', port: 'node1', map })).exitCode).toBe(1);
  });
});
