/**
 * docs/model.md, generated from the statechart: the Mermaid diagram, a line per state, transition and event,
 * and the figures of the reachable model for 2 and 3 nodes. A test fails when the committed file differs.
 */

import type { AnyStateNode } from 'xstate';
import { informationRules } from '../../models/informationRules.ts';
import { roleMigrationMachine } from '../../models/roleMigration.ts';
import { eventDescriptions } from '../../models/vocabulary.ts';
import { buildModelGraph, nodeNamesFor } from '../paths/modelGraph.ts';
import { statechartTransitions, type TransitionPart } from '../paths/statechartParts.ts';
import { generateTestPaths } from '../paths/testPaths.ts';

function mermaidId(path: readonly string[]): string {
  return path.join('_');
}

function drawStates(node: AnyStateNode, indent: string): string[] {
  const lines: string[] = [];
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return lines;
  const initial = node.config.initial;
  if (typeof initial === 'string') lines.push(`${indent}[*] --> ${mermaidId([...node.path, initial])}`);
  for (const child of children) {
    const id = mermaidId(child.path);
    if (Object.keys(child.states).length > 0) {
      lines.push(`${indent}state ${id} {`, ...drawStates(child, `${indent}  `), `${indent}}`);
    } else if (id !== child.key) {
      lines.push(`${indent}state "${child.key}" as ${id}`);
    }
  }
  return lines;
}

function label(part: TransitionPart): string {
  return part.guard === null ? part.event : `${part.event} [${part.guard}]`;
}

export function mermaidDiagram(): string {
  const lines = ['stateDiagram-v2', ...drawStates(roleMigrationMachine.root, '  ')];
  for (const part of statechartTransitions()) {
    if (part.source === '(root)') continue;
    for (const target of part.targets) {
      if (target === part.source) continue;
      lines.push(`  ${mermaidId(part.source.split('.'))} --> ${mermaidId(target.split('.'))}: ${label(part)}`);
    }
  }
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function stateRows(node: AnyStateNode): string[] {
  return (Object.values(node.states) as AnyStateNode[]).flatMap((child) => [
    `| \`${child.path.join('.')}\` | ${cell(child.description ?? '')} |`,
    ...stateRows(child),
  ]);
}

function figures(count: number): string {
  const nodes = nodeNamesFor(count);
  const graph = buildModelGraph(nodes);
  const set = generateTestPaths(nodes, graph);
  const { states, transitions } = set.coverage;
  return `| ${count} | ${graph.states.size} | ${set.paths.length} | ${states.covered}/${states.total} | ${transitions.covered}/${transitions.total} |`;
}

export function modelDocument(): string {
  const transitions = statechartTransitions();
  return [
    '# The role-migration model',
    '',
    '<!-- Generated from models/roleMigration.ts by `npm run docs`; a test fails when this file is stale. -->',
    '',
    "The statechart of one promotable clone's promoted role across N nodes: the semantics of migrate_to /",
    'migrate_from for promoted roles (see [proposal.md](proposal.md)). Context facts per node: membership, instance',
    'role, WAL position (timeline, LSN), replication link, divergence; plus the hand-over record, the final',
    "position of a plain demote and the operator's intent. Transitions without a target (facts recorded",
    'everywhere, refusals) are listed in the table, not drawn.',
    '',
    '```mermaid',
    mermaidDiagram(),
    '```',
    '',
    '## States',
    '',
    '| state | meaning |',
    '|---|---|',
    ...stateRows(roleMigrationMachine.root),
    '',
    '## Events',
    '',
    '| event | meaning |',
    '|---|---|',
    ...Object.entries(eventDescriptions).map(([event, text]) => `| \`${event}\` | ${cell(text)} |`),
    '',
    '## Transitions',
    '',
    'Candidates for one event in one state are tried in order (`#1`, `#2`, …); the first whose guard holds is taken.',
    '',
    '| transition | guard | target | meaning |',
    '|---|---|---|---|',
    ...transitions.map(
      (part) =>
        `| \`${part.id}\` | ${part.guard ?? '—'} | ${part.targets.length === 0 ? '(stays)' : part.targets.join(', ')} | ${cell(part.description)} |`,
    ),
    '',
    '## The information rule: facts that are missing, stale or unreadable',
    '',
    "An agent rebuilds the model's state from what it can observe at each action (src/policy/agentFacts.ts). What",
    'it does when a fact is missing is part of the model, and fails closed: no missing fact is read as the answer',
    'that allows a promotion.',
    '',
    '| fact | when | rule | where |',
    '|---|---|---|---|',
    ...informationRules.map(
      (row) => `| ${cell(row.fact)} | ${cell(row.when)} | ${cell(row.rule)} | ${cell(row.where)} |`,
    ),
    '',
    '## Reachable model and generated paths',
    '',
    'Exhaustive traversal (states identified up to the order of positions and a renaming of the nodes; one node',
    'down and one cut replication link at a time). `promigrate paths --nodes N` prints the paths.',
    '',
    '| nodes | reachable states | test paths | statechart states covered | transitions covered |',
    '|---|---|---|---|---|',
    figures(2),
    figures(3),
    '',
  ].join('\n');
}
