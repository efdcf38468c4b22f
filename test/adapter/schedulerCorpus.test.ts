/**
 * Pacemaker's scheduler regression corpus as a test bed (test/fixtures/schedulerCorpus.ts): 799 CIBs and the
 * 799 graphs Pacemaker's developers expect for them. Every input is read; the reading of each graph alone
 * and the reading of the same graph with its CIB agree wherever the graph carries the facts, and where it
 * does not, the graph reading says what it cannot tell. `explain`'s own path (the CIB through the real
 * scheduler, crm_simulate) runs on the inputs that change a promoted role and every 8th other one; on all
 * 799 with PROMIGRATE_CORPUS=all.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cibFromElement } from '../../src/adapter/cib.ts';
import { classifyTransition, type Migration } from '../../src/adapter/classify.ts';
import { explainInput } from '../../src/adapter/explain.ts';
import { factsFromGraph } from '../../src/adapter/graphFacts.ts';
import { InputError } from '../../src/adapter/inputError.ts';
import { readInput } from '../../src/adapter/readInput.ts';
import { parseTransitionGraph } from '../../src/adapter/transitionGraph.ts';
import { parseXmlDocument } from '../../src/adapter/xmlDocument.ts';
import { disagreements, unpackCorpus } from '../fixtures/schedulerCorpus.ts';

const everyInput = process.env.PROMIGRATE_CORPUS === 'all';

describe("Pacemaker's scheduler regression corpus", () => {
  let corpus: { dir: string; names: string[] };
  const changing = new Map<string, Migration[]>();

  beforeAll(async () => {
    corpus = await unpackCorpus();
  });
  afterAll(async () => {
    if (corpus !== undefined) await rm(corpus.dir, { recursive: true, force: true });
  });

  it('reads all 799 inputs; a graph alone and its CIB agree, or the graph reading says what it cannot tell', async () => {
    expect(corpus.names).toHaveLength(799);
    const problems: string[] = [];
    let cannotTell = 0;
    for (const name of corpus.names) {
      const graphPath = join(corpus.dir, 'exp', `${name}.exp`);
      const graph = parseTransitionGraph(await readFile(graphPath, 'utf8'), graphPath);
      const cibText = await readFile(join(corpus.dir, 'xml', `${name}.xml`), 'utf8');
      const cib = cibFromElement(parseXmlDocument(cibText, name).element, name);
      const fromGraph = classifyTransition(factsFromGraph(graph));
      const fromCib = classifyTransition(factsFromGraph(graph, cib));
      if (fromCib.length > 0 || fromGraph.length > 0) changing.set(name, fromCib);
      cannotTell += fromGraph.filter((each) => each.cannotTell !== undefined).length;
      problems.push(...disagreements(fromGraph, fromCib).map((problem) => `${name}: ${problem}`));
    }
    expect(problems).toEqual([]);
    // The inputs in which some promoted role changes (or a graph reading cannot tell whether one does).
    expect(changing.size).toBeGreaterThanOrEqual(96);
    expect(cannotTell).toBeGreaterThan(0);
  });

  it("explain's own path on the inputs: the graph file, and the CIB through crm_simulate", async () => {
    const chosen = corpus.names.filter((name, index) => everyInput || changing.has(name) || index % 8 === 0);
    const failures: string[] = [];
    for (const name of chosen) {
      for (const path of [join(corpus.dir, 'exp', `${name}.exp`), join(corpus.dir, 'xml', `${name}.xml`)]) {
        try {
          const found = await explainInput(await readInput(path));
          expect(Array.isArray(found)).toBe(true);
        } catch (error) {
          // An input the scheduler itself refuses is one clean line, never a crash.
          if (!(error instanceof InputError) || (error as Error).message.includes('\n')) {
            failures.push(`${path}: ${(error as Error).stack?.split('\n').slice(0, 2).join(' ')}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
