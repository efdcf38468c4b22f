/** The CLI's commands: each parses its own options, does its I/O through `out`, and returns an exit code. */
import { parseArgs } from 'node:util';
import { playScenario, scenarios } from '../demo/scenarios.ts';
import { modelDocument } from '../docs/modelDocument.ts';
import { formatEvent, formatFacts, formatInstruction } from '../format/formatEvent.ts';
import { buildModelGraph, nodeNamesFor } from '../paths/modelGraph.ts';
import { generateTestPaths } from '../paths/testPaths.ts';
import { checkInvariants } from '../verify/invariants.ts';

export interface Output {
  readonly stdout: (text: string) => void;
}

export class UsageError extends Error {}

/** A command that could not do its work (exit code 1), told in one line. */
export class CommandFailure extends Error {}

function parse(args: readonly string[], withNodes: boolean) {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: withNodes ? { nodes: { type: 'string' }, json: { type: 'boolean' } } : {},
      strict: true,
      allowPositionals: false,
    });
    const nodesText = (values as { nodes?: string }).nodes;
    const count = nodesText === undefined ? 3 : Number(nodesText);
    if (nodesText !== undefined && !/^\d+$/.test(nodesText)) {
      throw new UsageError(`--nodes expects a number from 2 to 5, got ${JSON.stringify(nodesText)}`);
    }
    return { nodes: nodeNamesFor(count), json: (values as { json?: boolean }).json === true };
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

export function demo(args: readonly string[], out: Output): number {
  parse(args, false);
  for (const scenario of scenarios) {
    out.stdout(`\n${scenario.name}\n  ${scenario.summary}\n`);
    for (const { event, decision } of playScenario(scenario)) {
      if (decision.kind === 'unhandled') {
        out.stdout(`  ${formatEvent(event).padEnd(34)} ✗ ${decision.reason}\n`);
        continue;
      }
      const move = decision.from === decision.to ? `${decision.to} (stays)` : `${decision.from} → ${decision.to}`;
      out.stdout(`  ${formatEvent(event).padEnd(34)} ${move}\n`);
      out.stdout(`  ${''.padEnd(34)}   ${decision.description}\n`);
      for (const instruction of decision.instructions) {
        out.stdout(`  ${''.padEnd(34)}   ⇒ ${formatInstruction(instruction)}\n`);
      }
      out.stdout(`  ${''.padEnd(34)}   ${formatFacts(decision.next.context)}\n`);
    }
  }
  return 0;
}

export function paths(args: readonly string[], out: Output): number {
  const { nodes, json } = parse(args, true);
  const set = generateTestPaths(nodes);
  const { states, transitions } = set.coverage;
  if (json) {
    out.stdout(
      `${JSON.stringify({
        paths: set.paths.map((path) => ({ name: path.name, steps: path.steps })),
        coverage: {
          states: { covered: states.covered, total: states.total },
          transitions: { covered: transitions.covered, total: transitions.total },
        },
      })}\n`,
    );
    return 0;
  }
  set.paths.forEach((path, index) => {
    out.stdout(`#${index + 1} ${path.kind}, ${path.steps.length} steps\n`);
    for (const step of path.steps) out.stdout(`    ${formatEvent(step.event).padEnd(36)} → ${step.state}\n`);
  });
  const shortest = set.paths.filter((path) => path.kind === 'shortest').length;
  out.stdout(
    `${set.paths.length} paths for ${nodes.length} nodes (${shortest} shortest, ${set.paths.length - shortest} bounded simple)\n`,
  );
  out.stdout(
    `model coverage: states ${states.covered}/${states.total}, transitions ${transitions.covered}/${transitions.total}\n`,
  );
  for (const missing of [...states.missing, ...transitions.missing]) out.stdout(`  not covered: ${missing}\n`);
  return 0;
}

export function check(args: readonly string[], out: Output): number {
  const { nodes, json } = parse(args, true);
  const graph = buildModelGraph(nodes);
  const results = checkInvariants(graph);
  const failed = results.filter((result) => result.violations.length > 0);
  if (json) {
    out.stdout(`${JSON.stringify({ nodes: nodes.length, states: graph.states.size, invariants: results })}\n`);
  } else {
    out.stdout(`${graph.states.size} reachable states for ${nodes.length} nodes\n`);
    for (const result of results) {
      const mark = result.violations.length === 0 ? '✓' : '✗';
      out.stdout(`${mark} ${result.name} (${result.examined} examined): ${result.description}\n`);
      for (const violation of result.violations.slice(0, 5))
        out.stdout(`    ${violation.state}: ${violation.message}\n`);
    }
  }
  return failed.length === 0 ? 0 : 1;
}

export function model(args: readonly string[], out: Output): number {
  parse(args, false);
  out.stdout(modelDocument());
  return 0;
}
