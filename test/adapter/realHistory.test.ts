/**
 * `explain` on a real cluster history (test/fixtures/histories/refresh-then-move: a refresh whose probes
 * record rc 8 and rc 0 as last_failure entries, then a move): the probes are no failure and no recovery;
 * the history keeps its order when pe-input numbers wrap; a directory with one pe-input, or whose newest
 * input starts the move, reports that transition as planned.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainInput } from '../../src/adapter/explain.ts';
import { readInput } from '../../src/adapter/readInput.ts';

const history = 'test/fixtures/histories/refresh-then-move';
const made: string[] = [];

/** A directory with the history's inputs `numbers`, each renamed by `rename`. */
async function historyOf(numbers: readonly number[], rename: (n: number) => number = (n) => n): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'promigrate-history-'));
  made.push(dir);
  for (const n of numbers) await copyFile(join(history, `pe-input-${n}.bz2`), join(dir, `pe-input-${rename(n)}.bz2`));
  return dir;
}

const shape = (found: Awaited<ReturnType<typeof explainInput>>) =>
  found.map(({ kind, from, to, cause, transitions, planned }) => ({ kind, from, to, cause, transitions, planned }));

describe('explain on a real history', () => {
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it('a refresh whose probes find the primary promoted (rc 8 against 7) is no failure and no recovery', async () => {
    expect((await readdir(history)).length).toBe(11);
    expect(shape(await explainInput(await readInput(history)))).toEqual([
      { kind: 'promotion', from: null, to: 'node1', cause: 'election', transitions: [3], planned: undefined },
      { kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [8], planned: undefined },
    ]);
  });

  it('keeps the order the scheduler wrote the inputs in when their numbers wrap (pe-input-series-max)', async () => {
    // As if the series wrapped at 11 after pe-input-4 of an earlier round: the newest inputs have the lowest numbers.
    const numbers = [...Array(11).keys()];
    const wrapped = await historyOf(numbers, (n) => (n + 6) % 11);
    const found = await explainInput(await readInput(wrapped));
    expect(shape(found)).toEqual([
      { kind: 'promotion', from: null, to: 'node1', cause: 'election', transitions: [9], planned: undefined },
      { kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [3], planned: undefined },
    ]);
  });

  it('reports the newest transition as planned: the history ends where the move starts', async () => {
    const found = await explainInput(await readInput(await historyOf([0, 1, 2, 3, 4, 5, 6, 7, 8])));
    expect(shape(found)).toEqual([
      { kind: 'promotion', from: null, to: 'node1', cause: 'election', transitions: [3], planned: undefined },
      { kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [8], planned: true },
    ]);
  });

  it('a directory with one pe-input: its transition, planned', async () => {
    const found = await explainInput(await readInput(await historyOf([8])));
    expect(shape(found)).toEqual([
      { kind: 'switchover', from: 'node1', to: 'node2', cause: 'move', transitions: [8], planned: true },
    ]);
  });
});
