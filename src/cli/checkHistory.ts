/** `promigrate check-history DIR [--log FILE]... [--year YYYY] [--json]`: a recorded history against the model. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { historyInputs } from '../adapter/explain.ts';
import type { HistoryInput } from '../adapter/history.ts';
import { InputError } from '../adapter/inputError.ts';
import { readInput } from '../adapter/readInput.ts';
import { type AgentFact, parseAgentLog } from '../audit/agentLog.ts';
import { checkHistory, type HistoryCheck } from '../audit/checkHistory.ts';
import { type Output, UsageError } from './commands.ts';

function options(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { log: { type: 'string', multiple: true }, year: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** A directory of pe-inputs, each read as a CIB, in the order the scheduler wrote them. */
async function historyIn(dir: string): Promise<HistoryInput[]> {
  const input = await readInput(dir);
  if (input.kind !== 'history') throw new InputError(dir, 'expected a directory of pe-input files');
  return historyInputs(input).map((each) => each.history);
}

async function logFacts(paths: readonly string[], year: number): Promise<AgentFact[]> {
  const facts: AgentFact[] = [];
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new InputError(path, error.code === 'ENOENT' ? 'no such file' : error.message);
    });
    facts.push(...parseAgentLog(text, year, path));
  }
  return facts;
}

function printReport(report: HistoryCheck, out: Output): void {
  for (const change of report.changes) {
    const spanned = change.transitions.length > 0 ? `  [transition ${change.transitions.join(', ')}]` : '';
    out.stdout(
      `${change.resource}  ${change.kind}  ${change.from ?? '—'} → ${change.to ?? '—'}  (${change.cause})${spanned}\n`,
    );
    out.stdout(`    model: ${change.events.join(', ')}\n`);
  }
  const { promotionsChecked: checked, promotionsUnchecked: unchecked } = report;
  out.stdout(
    `promotions replayed through the model: ${checked}; with no final position recorded before them: ${unchecked}\n`,
  );
  for (const violation of report.violations) out.stdout(`VIOLATION ${violation.rule}: ${violation.message}\n`);
  if (report.violations.length === 0) out.stdout('no violation\n');
}

export async function checkHistoryCommand(args: readonly string[], out: Output): Promise<number> {
  const { values, positionals } = options(args);
  if (positionals.length !== 1) throw new UsageError('give one DIR of pe-input files');
  const yearText = values.year ?? String(new Date().getUTCFullYear());
  if (!/^\d{4}$/.test(yearText)) throw new UsageError(`--year expects four digits, got ${JSON.stringify(yearText)}`);
  const inputs = await historyIn(positionals[0] as string);
  const facts = await logFacts(values.log ?? [], Number(yearText));
  const report = checkHistory(inputs, facts);
  if (values.json === true) {
    const changes = report.changes.map(({ resource, kind, from, to, cause, transitions, events }) => ({
      resource,
      kind,
      from,
      to,
      cause,
      transitions,
      events,
    }));
    out.stdout(`${JSON.stringify({ ...report, changes })}\n`);
  } else {
    printReport(report, out);
  }
  return report.violations.length === 0 ? 0 : 1;
}
