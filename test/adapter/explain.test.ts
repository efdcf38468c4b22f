/**
 * `explain` on every adapter case, from the CIB (through the real scheduler), from the same CIB compressed
 * as a pe-input, and from the graph alone. The cases are built by Pacemaker's own tools (fixtures/).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Migration } from '../../src/adapter/classify.ts';
import { explainInput } from '../../src/adapter/explain.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { type AdapterCase, adapterCases, buildCase } from '../fixtures/adapterCases.ts';
import type { OfflineCluster } from '../fixtures/offlineCluster.ts';

const shape = (migrations: Migration[]) =>
  migrations.map(({ resource, kind, from, to, cause }) => ({ resource, kind, from, to, cause }));

describe.each(adapterCases.map((testCase) => [testCase.name, testCase] as const))(
  '%s',
  (_name, testCase: AdapterCase) => {
    let built: { cluster: OfflineCluster; cib: string; graph: string; peInput: string };

    beforeAll(async () => {
      const { cluster, cib, graph } = await buildCase(testCase);
      const peInput = await cluster.saveCib('pe-input-42.bz2', true);
      built = { cluster, cib, graph, peInput };
    });
    afterAll(() => built?.cluster.dispose());

    it(`from the CIB: ${testCase.description}`, async () => {
      expect(shape(await explainInput(await readInput(built.cib)))).toEqual(testCase.expected);
    });

    it('from the bzip2 pe-input, numbered as the file is', async () => {
      const migrations = await explainInput(await readInput(built.peInput));
      expect(shape(migrations)).toEqual(testCase.expected);
      for (const migration of migrations) expect(migration.transitions).toEqual([42]);
    });

    it('from the graph alone', async () => {
      expect(shape(await explainInput(await readInput(built.graph)))).toEqual(
        testCase.expectedFromGraph ?? testCase.expected,
      );
    });

    if (testCase.name === 'migratable-primitive') {
      it('is a real migration of the primitive in the graph', async () => {
        const graph = await readFile(built.graph, 'utf8');
        expect(graph).toContain('operation="migrate_to"');
        expect(graph).toContain('operation="migrate_from"');
      });
    }
  },
);

describe.each(
  adapterCases
    .filter((testCase) => ['move', 'monitor-failure-threshold-1'].includes(testCase.name))
    .map((testCase) => [testCase.name, testCase] as const),
)('%s, with the primitive named like an Object.prototype member', (_name, testCase: AdapterCase) => {
  let built: { cluster: OfflineCluster; cib: string };
  beforeAll(async () => {
    built = await buildCase(testCase);
  });
  afterAll(() => built?.cluster.dispose());

  it('is read as any other name, through the real scheduler', async () => {
    // Every id and reference of the primitive renamed (fail counts too); the agent type stays what it is.
    const renamed = (await readFile(built.cib, 'utf8'))
      .replaceAll(/\bpgsql(?=[-_:#"])/g, 'constructor')
      .replaceAll('type="constructor"', 'type="pgsql"');
    expect(renamed).toContain('id="constructor"');
    const migrations = await explainInput({ kind: 'document', source: 'renamed.xml', text: renamed, sequence: null });
    expect(shape(migrations)).toEqual(
      testCase.expected.map((migration) => ({
        ...migration,
        resource: migration.resource.replace('pgsql', 'constructor'),
      })),
    );
  });
});
