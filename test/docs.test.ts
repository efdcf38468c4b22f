/** Documents generated from the model must match the committed copies. */
import { readFileSync } from 'node:fs';
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
});
