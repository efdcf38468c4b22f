/** `promigrate explain` as a user runs it: output shapes, and one line with exit code 2 for bad input. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterCases, buildCase } from '../fixtures/adapterCases.ts';
import type { OfflineCluster } from '../fixtures/offlineCluster.ts';

const bin = fileURLToPath(new URL('../../bin/promigrate.js', import.meta.url));
const explain = (...args: string[]) => execa('node', [bin, 'explain', ...args], { reject: false, stdin: 'ignore' });

describe('promigrate explain', () => {
  let cluster: OfflineCluster;
  let files: { cib: string; graph: string; peInput: string; dir: string };
  beforeAll(async () => {
    const built = await buildCase(
      adapterCases.find((testCase) => testCase.name === 'move') as (typeof adapterCases)[0],
    );
    cluster = built.cluster;
    const dir = await mkdtemp(join(tmpdir(), 'promigrate-explain-'));
    files = { cib: built.cib, graph: built.graph, peInput: await cluster.saveCib('pe-input-7.bz2', true), dir };
  });
  afterAll(async () => {
    await cluster.dispose();
    await rm(files.dir, { recursive: true, force: true });
  });

  it('prints one readable line per migration', async () => {
    const result = await explain(files.cib);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('pgsql-ha  switchover  node1 → node2  (move: cli-prefer-pgsql-ha, role Promoted)');
  });

  it('--json prints exactly the documented shape', async () => {
    const result = await explain(files.peInput, '--json');
    expect(JSON.parse(result.stdout)).toEqual({
      migrations: [
        { resource: 'pgsql-ha', kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [7] },
      ],
    });
  });

  it.each([
    ['malformed.xml', '<cib>\n  <configuration>\n</cib>\n', /malformed\.xml: line 3, column \d+: /],
    ['empty.xml', '', /empty\.xml: empty input$/],
    ['unknown.xml', '<html/>', /unknown\.xml: expected <transition_graph> or <cib>, found <html>$/],
    [
      'reference.xml',
      '<transition_graph cluster-delay="60s" batch-limit="0" transition_id="1" note="&#99999999;"/>',
      /reference\.xml: line 1, column \d+: character reference &#99999999; names no XML character$/,
    ],
    [
      'repeated.xml',
      '<cib epoch="1" epoch="2"><configuration/></cib>',
      /repeated\.xml: line 1, column \d+: .*epoch.*repeated/i,
    ],
    [
      'latin1.xml',
      Buffer.from([0x3c, 0x63, 0x69, 0x62, 0x20, 0x78, 0x3d, 0x22, 0xe9, 0x22, 0x2f, 0x3e]),
      /latin1\.xml: not UTF-8 text$/,
    ],
    [
      'rejected.xml',
      '<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources><primitive id="x"/></resources><constraints/></configuration><status/></cib>',
      /rejected\.xml: the scheduler rejected this CIB/,
    ],
  ])('%s: one line, exit code 2', async (name, text, message) => {
    const path = join(files.dir, name);
    await writeFile(path, text);
    const result = await explain(path);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('a truncated pe-input: one line, exit code 2', async () => {
    const whole = await readFile(files.peInput);
    const path = join(files.dir, 'pe-input-8.bz2');
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const result = await explain(path);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/pe-input-8\.bz2: cannot decompress: /);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('a missing path and no path at all are usage errors', async () => {
    expect((await explain(join(files.dir, 'nope.xml'))).stderr).toMatch(/nope\.xml: cannot read: ENOENT$/);
    const none = await explain();
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^promigrate explain: give at least one PATH/);
  });
});
