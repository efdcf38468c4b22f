/**
 * An agent's decision as it logs it (agent/promotable/modelActions.ts): `<EVENT> <from> → <to>: <why>`,
 * `<EVENT> <state>: <why>` when the state stays, `<EVENT>: <reason>` when the model has no transition.
 * The model-based suite reads them to know which event the real agent saw and where the model took it.
 */

export interface AgentDecision {
  readonly event: string;
  /** The state the agent's model was in when it decided (reconstructed from the facts it gathered). */
  readonly from: string | null;
  /** The state after the decision; null when the model had no transition for the event. */
  readonly to: string | null;
  readonly text: string;
}

/** The agent's own text of a stderr line (`pgsql(pgsql)[promote]: …`), debug lines excluded. */
export function agentText(line: string): string | null {
  const match = /^\w+\([^)]*\)\[[\w-]+\]: (?!debug:)(.*)$/.exec(line);
  return match === null ? null : (match[1] as string);
}

export function parseAgentDecision(line: string): AgentDecision | null {
  const text = agentText(line);
  if (text === null) return null;
  const moved = /^([A-Z_]+) (\S+?)(?: → (\S+?))?: /.exec(text);
  if (moved !== null) {
    return { event: moved[1] as string, from: moved[2] as string, to: (moved[3] ?? moved[2]) as string, text };
  }
  const unhandled = /^([A-Z_]+): /.exec(text);
  if (unhandled !== null) return { event: unhandled[1] as string, from: null, to: null, text };
  return null;
}
