/**
 * The proposal's scheduler cases (upstream/cts-scheduler): every input is valid for the installed
 * Pacemaker (crm_verify), today's crm_simulate output is what today/ says (summary and ordering graph,
 * normalised as Pacemaker's cts-scheduler does), and every case has its hand-written proposed summary and
 * graph, which start from the same cluster status as today's. PROMIGRATE_CASES_UPDATE=1 rewrites today/.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const root = 'upstream/cts-scheduler';
const update = process.env.PROMIGRATE_CASES_UPDATE === '1';
const quiet = { PCMK_logfacility: 'none' };
const work = await mkdtemp(join(tmpdir(), 'promigrate-cases-'));
const names = (await readdir(join(root, 'xml')))
  .filter((file) => file.endsWith('.xml'))
  .map((file) => file.slice(0, -4));

/** crm_simulate's summary with cts-scheduler's rewrites (older role names, the ocf:: spelling). */
function normaliseSummary(text: string): string {
  return text
    .replace(/ocf::/g, 'ocf:')
    .replace(/Masters:/, 'Promoted:')
    .replace(/Slaves:/, 'Unpromoted:')
    .replace(/ Master( |\[|$)/gm, ' Promoted$1')
    .replace(/ Slave /g, ' Unpromoted ');
}

/** A dot graph's edges and nodes sorted and made unique, as cts-scheduler compares them. */
function normaliseDot(text: string): string {
  const lines = text.split('\n').filter((line) => line !== '');
  const [first, ...rest] = lines;
  const last = rest.pop();
  return `${[first, ...[...new Set(rest)].sort(), last].join('\n')}\n`;
}

async function today(name: string): Promise<{ summary: string; dot: string }> {
  const input = join(root, 'xml', `${name}.xml`);
  const summary = await execa('crm_simulate', ['-x', input, '-S'], { env: quiet, stdin: 'ignore' });
  const dotFile = join(work, `${name}.dot`);
  await execa('crm_simulate', ['-x', input, '-D', dotFile, '-sSQ'], { env: quiet, stdin: 'ignore' });
  return { summary: normaliseSummary(`${summary.stdout}\n`), dot: normaliseDot(await readFile(dotFile, 'utf8')) };
}

const currentStatus = (summary: string) => summary.slice(0, summary.indexOf('Transition Summary:'));

/** A dot graph's ordering edges, each as [before, after]. */
function edges(dot: string): [string, string][] {
  return [...dot.matchAll(/^"([^"]+)" -> "([^"]+)"/gm)].map((match) => [match[1] as string, match[2] as string]);
}

/** True when the ordering has no cycle (a transition the controller could never finish). */
function acyclic(pairs: readonly [string, string][]): boolean {
  const after = new Map<string, string[]>();
  for (const [from, to] of pairs) after.set(from, [...(after.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string): boolean => {
    if (state.get(node) === 'done') return true;
    if (state.get(node) === 'open') return false;
    state.set(node, 'open');
    const ok = (after.get(node) ?? []).every(visit);
    state.set(node, 'done');
    return ok;
  };
  return [...after.keys()].every(visit);
}

describe('the proposal scheduler cases', () => {
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it('has the cases the proposal lists', () => {
    expect(names.length).toBeGreaterThanOrEqual(19);
  });

  it.each(names)('%s: valid for the installed Pacemaker', async (name) => {
    const input = join(root, 'xml', `${name}.xml`);
    const schema = await execa('xmllint', ['--noout', '--relaxng', '/usr/share/pacemaker/pacemaker-3.9.rng', input], {
      reject: false,
    });
    expect(schema.stderr.trim()).toBe(`${input} validates`);
    const verified = await execa('crm_verify', ['-VVV', '--xml-file', input], {
      env: quiet,
      reject: false,
      stdin: 'ignore',
    });
    const warnings = verified.stderr.split('\n').filter((line) => /warning:|error:/.test(line));
    // What the status holds (a lost node to fence, a recorded failure) is warned of; the configuration is not.
    const status =
      /node\d (will be fenced|is unclean)|is unrunnable \(node is offline\)|Scheduling node node\d for fencing|Unexpected result \(error\) was recorded for migrate_(to|from)/;
    expect(warnings.filter((line) => !status.test(line))).toEqual([]);
    // With status warnings crm_verify exits 78 ("warnings found") for some (a lost node), 0 for others.
    expect(warnings.length === 0 ? [0] : [0, 78]).toContain(verified.exitCode);
  });

  it.each(names)('%s: today crm_simulate does what today/ says', async (name) => {
    const actual = await today(name);
    if (update) {
      await writeFile(join(root, 'today', `${name}.summary`), actual.summary);
      await writeFile(join(root, 'today', `${name}.dot`), actual.dot);
    }
    expect(actual.summary).toBe(await readFile(join(root, 'today', `${name}.summary`), 'utf8'));
    expect(actual.dot).toBe(await readFile(join(root, 'today', `${name}.dot`), 'utf8'));
  });

  it.each(names)('%s: the proposed summary starts from the same cluster, its graph is an ordering', async (name) => {
    const proposed = await readFile(join(root, 'proposed', `${name}.summary`), 'utf8');
    const recorded = await readFile(join(root, 'today', `${name}.summary`), 'utf8');
    expect(currentStatus(proposed)).toBe(currentStatus(recorded));
    expect(proposed).toContain('Transition Summary:');
    const dot = await readFile(join(root, 'proposed', `${name}.dot`), 'utf8');
    expect(dot).toMatch(/^ digraph "g" \{\n/);
    expect(dot).toBe(normaliseDot(dot));
    const order = edges(dot);
    expect(acyclic(order)).toBe(true);
    // Where both halves run in one transition, migrate_from waits for migrate_to (the clone-max=1 bug's lack).
    const source = order.find(([from]) => from.startsWith('pg_migrate_to_0 '))?.[0];
    const target = order.find(([from]) => from.startsWith('pg_migrate_from_0 '))?.[0];
    if (source !== undefined && target !== undefined) expect(order).toContainEqual([source, target]);
  });

  it('the graphs today and proposed differ where the proposal changes the schedule, and only there', async () => {
    const unchanged: string[] = [];
    for (const name of names) {
      const [now, proposed] = await Promise.all(
        ['today', 'proposed'].map((dir) => readFile(join(root, dir, `${name}.dot`), 'utf8')),
      );
      if (now === proposed) unchanged.push(name);
    }
    expect(unchanged).toEqual([
      'promoted-migrate-half-done-withdrawn',
      'promoted-migrate-maintenance',
      'promoted-migrate-mixed-feature-set',
      'promoted-migrate-promoted-max-2',
    ]);
  });
});
