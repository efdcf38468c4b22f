/** The bundled `promigrate` command, run as a user runs it: exit codes, one-line errors, JSON shapes. */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/promigrate.js', import.meta.url));
const promigrate = (...args: string[]) => execa('node', [bin, ...args], { reject: false, stdin: 'ignore' });

describe('promigrate CLI', () => {
  it('switchover outside a cluster fails with one line and exit code 1', async () => {
    const result = await promigrate('switchover', 'pgsql-ha', '--to', 'node2');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^promigrate switchover: cibadmin --query: /);
  });

  it.each(['explain', 'check-history', 'status', 'switchover', 'demo', 'paths', 'check', 'model', 'install-agents'])(
    '%s --help (and help %s) prints its own usage and exits 0',
    async (command) => {
      for (const args of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
        [command, 'x', '--bogus', '--help'],
      ]) {
        const result = await promigrate(...args);
        expect(result.exitCode, args.join(' ')).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^Usage: promigrate ${command}\\b`));
        expect(result.stderr).toBe('');
      }
    },
  );

  it('status outside a cluster fails with one line and exit code 1', async () => {
    const result = await promigrate('status');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^promigrate status: cibadmin --query: /);
  });

  it('prints its usage with --help and exits 0', async () => {
    const result = await promigrate('--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('promigrate paths [--nodes N] [--json]');
  });

  it.each([
    [['frobnicate'], /^promigrate: unknown command "frobnicate" \(see promigrate --help\)$/],
    [['paths', '--nodes', '1'], /^promigrate paths: --nodes must be an integer from 2 to 5, got 1$/],
    [
      ['paths', '--nodes', '3; rm -rf /'],
      /^promigrate paths: --nodes expects a number from 2 to 5, got "3; rm -rf \/"$/,
    ],
    [['check', '--bogus'], /^promigrate check: Unknown option '--bogus'/],
    [['demo', 'extra'], /^promigrate demo: Unexpected argument 'extra'/],
    [['help', 'frobnicate'], /^promigrate: unknown command "frobnicate" \(see promigrate --help\)$/],
    [['status', 'a', 'b'], /^promigrate status: give at most one CLONE$/],
    [['status', '--bogus'], /^promigrate status: Unknown option '--bogus'/],
    [['status', 'x;reboot'], /^promigrate status: CLONE "x;reboot" is not a resource name$/],
    [
      ['install-agents', '--ocf-root', 'usr/lib/ocf'],
      /^promigrate install-agents: --ocf-root expects an absolute directory, got "usr\/lib\/ocf"$/,
    ],
    [['install-agents', '/usr/lib/ocf'], /^promigrate install-agents: Unexpected argument '\/usr\/lib\/ocf'/],
    [['switchover', 'pgsql-ha'], /^promigrate switchover: --to expects a node name, got ""$/],
    [['switchover', '--to', 'node2'], /^promigrate switchover: give one CLONE \(e\.g\. pgsql-ha\)$/],
    [
      ['switchover', 'pgsql-ha', '--to', 'node2;reboot'],
      /^promigrate switchover: --to expects a node name, got "node2;reboot"$/,
    ],
    [
      ['switchover', 'pgsql-ha', '--to', 'node2', '--timeout', '0'],
      /^promigrate switchover: --timeout expects seconds/,
    ],
  ])('rejects %j with one line on stderr and exit code 2', async (args, message) => {
    const result = await promigrate(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each([2, 3])('paths --nodes %i --json: exactly the documented shape, full coverage', async (count) => {
    const result = await promigrate('paths', '--nodes', String(count), '--json');
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(['paths', 'coverage']);
    expect(output.coverage.states.covered).toBe(output.coverage.states.total);
    expect(output.coverage.transitions.covered).toBe(output.coverage.transitions.total);
    expect(output.coverage.transitions.total).toBeGreaterThan(30);
    for (const path of output.paths) {
      expect(Object.keys(path)).toEqual(['name', 'steps']);
      for (const step of path.steps) {
        expect(Object.keys(step)).toEqual(['event', 'state']);
        expect(typeof step.event.type).toBe('string');
        expect(typeof step.state).toBe('string');
      }
    }
    const types = output.paths.flatMap((path: { steps: { event: { type: string } }[] }) =>
      path.steps.map((step) => step.event.type),
    );
    expect(types).toContain('MIGRATE_TO');
    expect(types).toContain('MIGRATE_FROM');
  });

  it('paths prints the coverage summary line', async () => {
    const result = await promigrate('paths', '--nodes', '2');
    expect(result.stdout).toMatch(/^model coverage: states (\d+)\/\1, transitions (\d+)\/\2$/m);
  });

  it('check passes every invariant for 3 nodes', async () => {
    const result = await promigrate('check', '--nodes', '3', '--json');
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.invariants.length).toBeGreaterThanOrEqual(7);
    for (const invariant of output.invariants) expect(invariant.violations).toEqual([]);
  });

  it('demo plays S1, S2 and S3 with each step as event → state', async () => {
    const result = await promigrate('demo');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/MIGRATE_TO node1 → node2\s+promoted → switchover\.demotingSource/);
    expect(result.stdout).toMatch(/MIGRATE_FROM node2\s+switchover\.handedOver → switchover\.rejoining/);
    expect(result.stdout).toMatch(/CATCH_UP_TIMEOUT\s+switchover\.catchingUp → switchover\.aborted/);
    expect(result.stdout).toContain("node2 at TL 2 @ 0/1 is behind node1's final position TL 2 @ 0/4");
    expect(result.stdout).toMatch(/PROMOTE node2\s+unpromoted\.failover → promoted/);
  });
});
