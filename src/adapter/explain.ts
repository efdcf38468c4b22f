/** `promigrate explain`: any input → the migrations of promoted roles it shows. */
import { type Cib, cibFromElement } from './cib.ts';
import { classifyTransition, type Migration } from './classify.ts';
import type { TransitionFacts } from './facts.ts';
import { factsFromGraph } from './graphFacts.ts';
import { explainHistory, type HistoryInput, writtenOrder } from './history.ts';
import { InputError } from './inputError.ts';
import type { Input } from './readInput.ts';
import { scheduleTransition } from './scheduler.ts';
import { parseTransitionGraph, transitionGraphFromElement } from './transitionGraph.ts';
import { parseXmlDocument } from './xmlDocument.ts';

/**
 * What Pacemaker's scheduler plans for a CIB (crm_simulate), as facts read with that CIB. crm_simulate numbers
 * every offline transition 0: `transition` is the input's own number, when it has one.
 */
export async function scheduledFacts(
  cibText: string,
  cib: Cib,
  source: string,
  transition: number | null,
): Promise<TransitionFacts> {
  const { graphXml } = await scheduleTransition(cibText, source);
  const graph = parseTransitionGraph(graphXml, `${source} (scheduled)`);
  return factsFromGraph({ ...graph, transition }, cib);
}

async function explainDocument(source: string, text: string, sequence: number | null): Promise<Migration[]> {
  const { root, element } = parseXmlDocument(text, source);
  if (root === 'transition_graph')
    return classifyTransition(factsFromGraph(transitionGraphFromElement(element, source)));
  if (root !== 'cib') throw new InputError(source, `expected <transition_graph> or <cib>, found <${root}>`);
  return classifyTransition(await scheduledFacts(text, cibFromElement(element, source), source, sequence));
}

type HistoryDocument = Extract<Input, { kind: 'document' }>;

/** A history's documents, each read as a CIB, in the order the scheduler wrote them (writtenOrder). */
export function historyInputs(
  input: Extract<Input, { kind: 'history' }>,
): { history: HistoryInput; document: HistoryDocument }[] {
  const read = input.inputs.map((document) => {
    if (document.kind !== 'document') throw new InputError(document.source, 'nested history');
    const { root, element } = parseXmlDocument(document.text, document.source);
    if (root !== 'cib') throw new InputError(document.source, `expected <cib> in a history, found <${root}>`);
    const history: HistoryInput = { sequence: document.sequence ?? 0, cib: cibFromElement(element, document.source) };
    return { history, document };
  });
  return read.sort((a, b) => writtenOrder(a.history, b.history));
}

export async function explainInput(input: Input): Promise<Migration[]> {
  if (input.kind === 'document') return explainDocument(input.source, input.text, input.sequence);
  const read = historyInputs(input);
  const newest = read.at(-1) as (typeof read)[number];
  // The newest input's transition, as the scheduler planned it: its outcome is in no input yet.
  const { document, history } = newest;
  const planned = await scheduledFacts(document.text, history.cib, document.source, history.sequence);
  return explainHistory(
    read.map((each) => each.history),
    planned,
  );
}
