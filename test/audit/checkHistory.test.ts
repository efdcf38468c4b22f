/**
 * `promigrate check-history` on histories recorded from the real cluster (test/fixtures/histories): the
 * agents as built pass; the variant that skips migrate_from's catch-up check is flagged with its transition;
 * an input with two promoted instances (made with crm_simulate from the real history) is flagged; bad input
 * is one line with exit 2.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/promigrate.js', import.meta.url));
const histories = 'test/fixtures/histories';
const logs = (dir: string) =>
  ['node1', 'node2', 'node3'].flatMap((node) => ['--log', join(dir, 'logs', `${node}.log`)]);
const checkHistory = (...args: string[]) =>
  execa('node', [bin, 'check-history', ...args], { reject: false, stdin: 'ignore' });
const made: string[] = [];
const run = promisify(execFile);

describe('check-history on recorded histories', () => {
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it('passes the real agents: a switchover and a refused one, every promotion replayed', async () => {
    const dir = join(histories, 'switchover-and-refusal');
    const result = await checkHistory(dir, ...logs(dir), '--year', '2026', '--json');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.violations).toEqual([]);
    expect(report.promotionsChecked).toBe(2);
    expect(
      report.changes.map((change: { kind: string; from: string; to: string }) => [change.kind, change.from, change.to]),
    ).toEqual([
      ['promotion', null, 'node3'],
      ['switchover', 'node3', 'node1'],
      ['demotion', 'node1', null],
    ]);
    // The refused move, which the pe-inputs show as a demotion, is the model's aborted switchover.
    expect(report.changes[2].events).toEqual([
      'MIGRATE_TO node1→node2',
      'SHUTDOWN_CHECKPOINT TL 3 @ 0/4000350',
      'MIGRATE_FROM node2',
      'CATCH_UP_TIMEOUT',
    ]);
  });

  it('flags the agent that skips the catch-up check: the switchover the model would have aborted', async () => {
    const dir = join(histories, 'broken-catch-up');
    const result = await checkHistory(dir, ...logs(dir), '--year', '2026');
    expect(result.exitCode).toBe(1);
    const violations = result.stdout.split('\n').filter((line) => line.startsWith('VIOLATION'));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /^VIOLATION would-abort: transition 6: node2 promoted onto timeline 3 at TL 2 @ 0\/4000180, in the switchover node3→node2 whose final position is TL 2 @ 0\/40001F8; the model would have aborted it/,
    );
  });

  it('without the logs, the pe-inputs alone: the changes, nothing to replay', async () => {
    const result = await checkHistory(join(histories, 'broken-catch-up'), '--json');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ violations: [], promotionsChecked: 0, promotionsUnchecked: 0 });
  });

  it('flags two promoted instances in one input (a newest input with a promote of node3 injected)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'promigrate-two-promoted-'));
    made.push(dir);
    await cp(join(histories, 'switchover-and-refusal'), dir, { recursive: true });
    // pe-input-8's transition promoted node1; the scheduler's own injection records a promote of node3 beside it.
    const xml = join(dir, 'pe-input-8.xml');
    const { stdout } = await run('bzcat', [join(dir, 'pe-input-8.bz2')], { maxBuffer: 1 << 24 });
    await writeFile(xml, stdout);
    const env = { ...process.env, CIB_shadow_dir: dir, PCMK_logfacility: 'none' };
    const out = join(dir, 'injected.xml');
    await run('crm_simulate', ['-x', xml, '--op-inject', 'pgsql_promote_0@node3=0', '--save-output', out], { env });
    const injected = (await readFile(out, 'utf8')).replace(/execution-date="\d+"/, 'execution-date="1796400000"');
    await writeFile(join(dir, 'pe-input-13'), injected);
    await run('bzip2', [join(dir, 'pe-input-13')]);
    await rm(xml);
    await rm(out);
    const result = await checkHistory(dir, '--json');
    expect(result.exitCode).toBe(1);
    const { violations } = JSON.parse(result.stdout);
    expect(violations).toEqual([expect.objectContaining({ rule: 'two-promoted', transition: 13 })]);
    expect(violations[0].message).toMatch(
      /^pgsql-ha promoted on node\d and node\d at once \(pe-input 13\), promoted-max 1$/,
    );
  });

  it('bad input: one line, exit 2, for a missing directory, a missing log, a truncated position', async () => {
    const missing = await checkHistory('/nonexistent/pengine');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const dir = join(histories, 'broken-catch-up');
    const noLog = await checkHistory(dir, '--log', '/nonexistent/pacemaker.log');
    expect(noLog.exitCode).toBe(2);
    expect(noLog.stderr).toBe('promigrate check-history: /nonexistent/pacemaker.log: no such file');
    const truncatedDir = await mkdtemp(join(tmpdir(), 'promigrate-truncated-log-'));
    made.push(truncatedDir);
    const log = await readFile(join(dir, 'logs', 'node3.log'), 'utf8');
    const cut = log.replace(
      /shut down at TL 2 @ 0\/40001F8, handing over/,
      'shut down at TL 2 @ 0/40001ZZ, handing over',
    );
    const truncated = join(truncatedDir, 'node3.log');
    await writeFile(truncated, cut);
    const bad = await checkHistory(dir, '--log', truncated);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^promigrate check-history: \S+node3\.log:\d+: invalid LSN: "0\/40001ZZ"/);
    expect((await checkHistory(dir, '--year', '26')).exitCode).toBe(2);
    expect((await checkHistory()).exitCode).toBe(2);
  });
});
