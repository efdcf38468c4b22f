/**
 * The agents' decision lines in a cluster log → the facts `check-history` holds against the model. The
 * agents write to stderr; pacemaker-execd logs each line of it at info level, as
 *
 *   Dec 04 04:20:01.123 node2 pacemaker-execd [812] (log_finished) info: pgsql_promote_0[4242] error output [ pgsql(pgsql)[promote]: promoted onto timeline 3, forked at TL 2 @ 0/5000100 ]
 *
 * (the node is the log line's host field). Only the lines that carry a position are facts here: a final
 * position a demote recorded (a hand-over to a named target, or none), and where a promotion forked — the
 * database's own timeline history, read after pg_promote. A line this reader does not know is skipped; a
 * known line with a position it cannot read is an InputError (a truncated log is not "no position").
 */
import { type Position, parsePosition } from '../../models/position.ts';
import type { NodeName } from '../../models/types.ts';
import { InputError } from '../adapter/inputError.ts';

export type AgentFact =
  | {
      readonly kind: 'handover';
      readonly at: number;
      readonly source: NodeName;
      readonly target: NodeName;
      readonly final: Position;
    }
  | { readonly kind: 'demoted'; readonly at: number; readonly node: NodeName; readonly final: Position }
  | { readonly kind: 'refused'; readonly at: number; readonly source: NodeName; readonly target: NodeName }
  | {
      readonly kind: 'promoted';
      readonly at: number;
      readonly node: NodeName;
      readonly onto: number;
      readonly fork: Position;
    };

/** A pacemaker.log stamp (`Dec 03 17:13:53.533`) in ms since the epoch: the logs carry no year; UTC. */
export function logStamp(stamp: string, year: number): number {
  return Date.parse(`${stamp} ${year} UTC`);
}

const agentLine =
  /^(\w{3} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)?) (\S+) .*? error output \[ \w+\([^)]*\)\[(\w+)\]: (.*) \]$/;
// Loose on purpose: a known line whose position does not read is an error (parsePosition), never skipped.
const position = 'TL \\S+ @ [^,\\s]+';
const handover = new RegExp(`^switchover (\\S+)→(\\S+): shut down at (${position}), handing over$`);
const demoted = new RegExp(`final position (${position}) recorded$`);
const refused = /^switchover (\S+)→(\S+): target received \S+ < \S+, refusing$/;
const promoted = new RegExp(`^promoted onto timeline (\\d+), forked at (${position})$`);

function factOf(message: string, at: number, node: NodeName): AgentFact | null {
  const handedOver = handover.exec(message);
  if (handedOver !== null) {
    const [, source, target, final] = handedOver as unknown as [string, string, string, string];
    return { kind: 'handover', at, source, target, final: parsePosition(final) };
  }
  const demote = demoted.exec(message);
  if (demote !== null) return { kind: 'demoted', at, node, final: parsePosition(demote[1] as string) };
  const refusal = refused.exec(message);
  if (refusal !== null) return { kind: 'refused', at, source: refusal[1] as string, target: refusal[2] as string };
  const promotion = promoted.exec(message);
  if (promotion !== null) {
    return { kind: 'promoted', at, node, onto: Number(promotion[1]), fork: parsePosition(promotion[2] as string) };
  }
  return null;
}

/** Every fact in one log's text, in the log's order. */
export function parseAgentLog(text: string, year: number, source: string): AgentFact[] {
  const facts: AgentFact[] = [];
  text.split('\n').forEach((line, index) => {
    const match = agentLine.exec(line);
    if (match === null) return;
    const [, stamp, node, , message] = match as unknown as [string, string, string, string, string];
    try {
      const fact = factOf(message, logStamp(stamp, year), node);
      if (fact !== null) facts.push(fact);
    } catch (error) {
      throw new InputError(`${source}:${index + 1}`, (error as Error).message);
    }
  });
  return facts;
}
