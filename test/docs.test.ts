/** Documents generated from the model must match the committed copies. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelDocument } from '../src/docs/modelDocument.ts';
import { statechartStates } from '../src/paths/statechartParts.ts';

describe('docs/model.md', () => {
  it('is the document generated from the statechart (run `npm run docs` after changing the model)', () => {
    const committed = readFileSync(new URL('../docs/model.md', import.meta.url), 'utf8');
    expect(committed).toBe(modelDocument());
  });
});

describe('docs/proposal.md', () => {
  it("speaks of every state of the model by the model's name", () => {
    const proposal = readFileSync(new URL('../docs/proposal.md', import.meta.url), 'utf8');
    for (const state of statechartStates()) {
      expect(proposal, state).toContain(`\`${state}\``);
    }
  });

  it('links what comes with it (the scheduler cases, the bug report, the patch sketch), and every link resolves', () => {
    const proposal = readFileSync(new URL('../docs/proposal.md', import.meta.url), 'utf8');
    const links = [...proposal.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1] as string);
    for (const needed of [
      '../upstream/cts-scheduler/README.md',
      '../upstream/bug-clone-max-1.md',
      '../upstream/patch-sketch.md',
    ]) {
      expect(links).toContain(needed);
    }
    for (const link of links) expect(existsSync(new URL(`../docs/${link}`, import.meta.url)), link).toBe(true);
  });

  it('names every scheduler case it relies on, and every case it names exists', () => {
    const proposal = readFileSync(new URL('../docs/proposal.md', import.meta.url), 'utf8');
    const named = new Set([...proposal.matchAll(/`(promoted-migrate-[a-z0-9-]+)`/g)].map((match) => match[1]));
    for (const name of named) {
      expect(existsSync(new URL(`../upstream/cts-scheduler/xml/${name}.xml`, import.meta.url)), name).toBe(true);
    }
    expect(named.size).toBeGreaterThanOrEqual(12);
  });
});
