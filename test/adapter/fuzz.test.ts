/**
 * Never crash: mutated graphs, CIBs, crm_mon answers, node records, files (bytes, invalid UTF-8, bzip2) and
 * agent environments give a result or the reader's one clean error, every time. The seeds are real inputs
 * made by the real scheduler and tools; the mutations include what XML allows and Pacemaker never writes
 * (character references, CDATA, comments, a DOCTYPE, non-ASCII names). Short mode in `npm test`; the long
 * mode (`npm run fuzz`, PROMIGRATE_FUZZ=long) runs over 10,000 inputs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTransition } from '../../src/adapter/classify.ts';
import { parseClusterStatus } from '../../src/adapter/clusterStatus.ts';
import { factsFromEnvironment } from '../../src/adapter/environmentFacts.ts';
import { explainInput } from '../../src/adapter/explain.ts';
import { InputError } from '../../src/adapter/inputError.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { intentInForce } from '../../src/policy/intent.ts';
import { NodeRecordError, parseNodeRecord } from '../../src/policy/nodeRecord.ts';
import { adapterCases, buildCase } from '../fixtures/adapterCases.ts';
import { crmMonXml } from '../fixtures/crmMonStatus.ts';
import type { OfflineCluster } from '../fixtures/offlineCluster.ts';

/** A mutation of a text: cut it short, drop a slice, insert junk, or change one attribute's value. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('drop' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    junk: fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('<', '>', '"', '&', '<synapse>', '</cib>', '\u0000', ' id="x"', ' id="y"'),
      // What XML allows and Pacemaker never writes, and references no character may have.
      fc.constantFrom(
        '&#99999999;',
        '&#0;',
        '&#xD800;',
        '&#x110000;',
        '&#65;',
        '&#x1F600;',
        '&e;',
        '<![CDATA[ <x> & ]]>',
        '<![CDATA[',
        '<!-- a comment -->',
        '<!--',
        '<!DOCTYPE cib [<!ENTITY e "x">]>',
        '<!DOCTYPE',
        '<nœud é="1"/>',
        ' é="x"',
        '\uFEFF',
        '\uFFFE',
      ),
      fc.integer({ min: 0, max: 0x10ffff }).map((code) => `&#${code};`),
    ),
  }),
  fc.record({ kind: fc.constant('attribute' as const), index: fc.nat(), value: fc.string() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, change: Mutation): string {
  const at = (fraction: number) => Math.floor(fraction * text.length);
  switch (change.kind) {
    case 'truncate':
      return text.slice(0, at(change.at));
    case 'drop':
      return text.slice(0, at(change.at)) + text.slice(at(change.at) + change.length);
    case 'insert':
      return text.slice(0, at(change.at)) + change.junk + text.slice(at(change.at));
    case 'attribute': {
      const values = [...text.matchAll(/="([^"]*)"/g)];
      const target = values[change.index % Math.max(values.length, 1)];
      if (target?.index === undefined) return text;
      const escaped = change.value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
      return `${text.slice(0, target.index)}="${escaped}"${text.slice(target.index + target[0].length)}`;
    }
  }
}

const long = process.env.PROMIGRATE_FUZZ === 'long';
/** Runs per property: the long mode's add up to over 10,000 inputs. */
const runs = (short: number, longRuns: number) => (long ? longRuns : short);
let fuzzed = 0;

async function cleanly(text: string): Promise<void> {
  fuzzed++;
  try {
    const migrations = await explainInput({ kind: 'document', source: 'fuzz.xml', text, sequence: null });
    expect(Array.isArray(migrations)).toBe(true);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^fuzz\.xml: /);
    expect((error as Error).message).not.toContain('\n');
  }
}

describe('fuzzing the adapter', () => {
  let seeds: { graph: string; cib: string };
  let cluster: OfflineCluster;
  beforeAll(async () => {
    const built = await buildCase(
      adapterCases.find((testCase) => testCase.name === 'move') ?? (adapterCases[0] as never),
    );
    cluster = built.cluster;
    seeds = { graph: await readFile(built.graph, 'utf8'), cib: await readFile(built.cib, 'utf8') };
  });
  afterAll(() => cluster.dispose());

  it('mutated transition graphs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (changes) => {
        await cleanly(changes.reduce(mutate, seeds.graph));
      }),
      { numRuns: runs(400, 3000) },
    );
  }, 600_000);

  it('mutated CIBs, through the real scheduler', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (change) => {
        await cleanly(mutate(seeds.cib, change));
      }),
      {
        numRuns: runs(60, 1000),
        // Found in CI: an operation renamed "valueOf" was read through Object.prototype.
        examples: ['valueOf', 'constructor', '__proto__', 'toString'].map((value): [Mutation] => [
          { kind: 'attribute', index: 1037913748, value },
        ]),
      },
    );
  }, 900_000);

  it('mutated crm_mon answers, node records and intents', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (changes) => {
        fuzzed++;
        try {
          const status = parseClusterStatus(changes.reduce(mutate, crmMonXml), 'pgsql', 'pgsql-vip');
          expect(Array.isArray(status.promoted)).toBe(true);
        } catch (error) {
          expect((error as Error).message).toMatch(/^crm_mon gave no XML status/);
          expect((error as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: runs(300, 2000) },
    );
    const record =
      'v1 position=2:0/3000028@1764090000000 handover=node1>node2@2:0/3000060:pending demoted=2:0/3000060 fork=1:0/2000000 onto=2 promoted=node3@1:0/1000000>2';
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.string(), (changes, text) => {
        fuzzed += 2;
        for (const input of [changes.reduce(mutate, record), text]) {
          try {
            parseNodeRecord(input);
          } catch (error) {
            expect(error).toBeInstanceOf(NodeRecordError);
          }
        }
        expect(intentInForce(text, Date.now())).toSatisfy(
          (value) => value === null || typeof value.target === 'string',
        );
      }),
      { numRuns: runs(300, 1000) },
    );
  });

  it('mutated files: bytes that are not UTF-8, truncated and corrupted bzip2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'promigrate-fuzz-'));
    const plain = Buffer.from(seeds.cib);
    const compressed = (await execa('bzip2', ['--stdout'], { input: plain, encoding: 'buffer' })).stdout;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.uint8Array({ minLength: 1, maxLength: 4 }),
          fc.boolean(),
          async (bzip2, at, bytes, truncate) => {
            fuzzed++;
            const seed = bzip2 ? Buffer.from(compressed) : plain;
            const cut = Math.floor(at * seed.length);
            const data = truncate
              ? seed.subarray(0, cut)
              : Buffer.concat([seed.subarray(0, cut), Buffer.from(bytes), seed.subarray(cut)]);
            const path = join(dir, 'pe-input-1.bz2');
            await writeFile(path, data);
            try {
              const found = await explainInput(await readInput(path));
              expect(Array.isArray(found)).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(InputError);
              expect((error as Error).message).not.toContain('\n');
            }
          },
        ),
        { numRuns: runs(40, 500), examples: [[false, 0.5, new Uint8Array([0xff, 0xfe]), false]] },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 900_000);

  it('mutated agent environments', () => {
    const names = fc.constantFrom(
      'OCF_RESOURCE_INSTANCE',
      'OCF_RESKEY_CRM_meta_on_node',
      'OCF_RESKEY_CRM_meta_notify_promote_uname',
      'OCF_RESKEY_CRM_meta_notify_demote_uname',
      'OCF_RESKEY_CRM_meta_notify_promoted_uname',
      'OCF_RESKEY_CRM_meta_notify_master_uname',
      'OCF_RESKEY_CRM_meta_notify_stop_uname',
      'OCF_RESKEY_CRM_meta_notify_start_uname',
    );
    fc.assert(
      fc.property(
        fc.dictionary(names, fc.oneof(fc.string(), fc.constant(' '), fc.constant('node1 node2'))),
        fc.constantFrom('promote', 'demote', 'notify', 'start', 'stop', 'monitor', 'bogus'),
        (env, action) => {
          fuzzed++;
          try {
            const facts = factsFromEnvironment(action, env);
            expect(Array.isArray(classifyTransition(facts))).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
          }
        },
      ),
      { numRuns: runs(1000, 3000) },
    );
  });

  it(`counted: ${long ? 'over 10,000' : 'the short mode of'} fuzzed inputs, none uncaught`, () => {
    // Every property above fails on an uncaught error; this states how many inputs they were.
    process.stdout.write(`fuzzed ${fuzzed} inputs across the readers, 0 uncaught errors\n`);
    expect(fuzzed).toBeGreaterThan(long ? 10_000 : 1_500);
  });
});
