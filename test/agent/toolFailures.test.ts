/**
 * What a failing cluster tool does to an action (`ocf:promigrate:stateful`, run as pacemaker-execd runs it):
 * a primary's monitor stays "running promoted" when crm_attribute cannot write the scores (failing it would
 * make Pacemaker recover a healthy primary), and a promote that already promoted the instance reports
 * success when the follow-up writes fail.
 */
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterStore } from '../../agent/stateful/counterDatabase.ts';
import { type AgentHarness, statefulHarness } from '../fixtures/agentHarness.ts';

const nodes = ['node1', 'node2'];

describe('ocf:promigrate:stateful when crm_attribute fails', () => {
  let dir: string;
  let harness: AgentHarness;
  const tool = () => join(harness.dir, 'sbin', 'crm_attribute');
  const breakTool = async () => {
    await copyFile(tool(), join(dir, 'crm_attribute.working'));
    await writeFile(
      tool(),
      '#!/bin/sh\necho "crm_attribute: Could not connect to the CIB: Transport endpoint is not connected" >&2\nexit 102\n',
    );
    await chmod(tool(), 0o755);
  };
  const mendTool = () => copyFile(join(dir, 'crm_attribute.working'), tool());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-tools-'));
    harness = await statefulHarness(dir, nodes);
    for (const node of nodes) expect((await harness.run(node, 'start')).code, harness.transcript()).toBe(0);
    const elected = await harness.promoteRound({ active: nodes, promoted: [], promote: ['node1'] });
    expect(elected.code, harness.transcript()).toBe(0);
  });
  afterAll(async () => {
    await harness?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("a healthy primary's monitor reports it promoted, and says the scores were not written", async () => {
    await new CounterStore(join(dir, 'counters'), 'node1').acknowledgeWrite();
    await breakTool();
    try {
      const monitor = await harness.run('node1', 'monitor', { interval: '15000' });
      expect(monitor.code, harness.transcript()).toBe(8);
      expect(monitor.stderr).toMatch(/promotion scores not written: .*Could not connect/);
    } finally {
      await mendTool();
    }
  });

  it('a promote that promoted the instance succeeds even when its follow-up writes fail', async () => {
    expect((await harness.run('node1', 'demote')).code, harness.transcript()).toBe(0);
    await breakTool();
    try {
      const promote = await harness.run('node1', 'promote');
      expect(promote.code, harness.transcript()).toBe(0);
      expect(promote.stderr).toMatch(/promoted, but its record or scores were not written/);
      expect((await new CounterStore(join(dir, 'counters'), 'node1').read()).role).toBe('primary');
    } finally {
      await mendTool();
    }
  });
});
