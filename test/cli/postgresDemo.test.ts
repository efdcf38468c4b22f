/**
 * The main job, `npm run demo` (dist/demo.js, a lab tool), run as a user runs it: three scenarios on real PostgreSQL
 * with Pacemaker's scheduler, nothing lost, and nothing left running afterwards.
 */
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../dist/demo.js', import.meta.url));

describe('npm run demo (dist/demo.js)', () => {
  it('plays a switchover, an aborted switchover and a failover, loses nothing, and cleans up', async () => {
    const result = await execa('node', [demo], {
      reject: false,
      stdin: 'ignore',
      timeout: 120_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /S1 controlled switchover[\s\S]*MIGRATE_FROM switchover\.handedOver → switchover\.rejoining[\s\S]*→ node2 is the primary/,
    );
    expect(out).toMatch(
      /S2 [\s\S]*CATCH_UP_TIMEOUT switchover\.catchingUp → switchover\.aborted[\s\S]*PROMOTE switchover\.aborted → promoted[\s\S]*→ node2 is the primary/,
    );
    expect(out).toMatch(/S3 failover[\s\S]*PROMOTE unpromoted\.failover → promoted[\s\S]*→ node[13] is the primary/);
    expect(out).toMatch(/writes: [1-9]\d* acknowledged, 0 lost/);
    expect(out).toContain('0 acknowledged writes lost in all; every scenario ended as the model says');
    for (const port of ['25601', '25602', '25603']) {
      const probe = await execa('pg_isready', ['-h', '127.0.0.1', '-p', port], { reject: false });
      expect(probe.exitCode, `port ${port} still answers`).toBe(2);
    }
  });

  it('refuses to run as another user than root, in one line with exit code 1', async () => {
    // The bundled CLI in a directory any user can read (the checkout may not be).
    const dir = await mkdtemp(join(tmpdir(), 'promigrate-cli-'));
    await chmod(dir, 0o755);
    await copyFile(demo, join(dir, 'demo.js'));
    const command = `${process.execPath} ${join(dir, 'demo.js')}`;
    const result = await execa('su', ['nobody', '-s', '/bin/sh', '-c', command], { reject: false, stdin: 'ignore' });
    await rm(dir, { recursive: true, force: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('demo: runs PostgreSQL as its own user: run it as root');
  });
});
