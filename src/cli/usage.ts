/**
 * What `promigrate --help` and `promigrate COMMAND --help` print: one table of commands, each with its
 * synopsis, the line the overview shows and its own page (the man page is generated from the same table).
 */

export interface CommandHelp {
  readonly name: string;
  readonly synopsis: string;
  readonly summary: string;
  readonly details: string;
}

export const commandHelp: readonly CommandHelp[] = [
  {
    name: 'status',
    synopsis: 'promigrate status [CLONE] [--json]',
    summary:
      'on a cluster node: where the promoted role is, each node with its role, timeline, position,\nlag and promotion score, the latest hand-over and its verdict, an intent in force',
    details: `Reads the cluster through Pacemaker's own tools on this node (cibadmin, crm_mon, crm_attribute,
attrd_updater) and changes nothing. CLONE may be left out when the CIB holds one promotable clone of an
ocf:promigrate agent. For each node: online or not, its instance's role, its timeline and WAL position
(live from the local PostgreSQL, else as it last published it, with the age), a standby's lag in bytes
(live, from the primary's pg_stat_replication: run it on the primary's node), its promotion score; then the latest hand-over record (source > target, final position, verdict pending or aborted) and
the operator's intent when one is in force. A value that cannot be read is shown as unknown, never guessed.
  --json   one JSON object instead of the table`,
  },
  {
    name: 'switchover',
    synopsis: 'promigrate switchover CLONE --to NODE [--json] [--timeout S] [--dry-run]',
    summary:
      'on a cluster node: move the promoted role of CLONE to NODE (intent + move, followed through\nhand-over, catch-up, promote, rejoin; the constraint and intent are always removed)',
    details: `Records the operator's intent (cluster property promigrate-intent-<primitive>), creates the move
constraint (crm_resource --move --promoted), prints each phase as it is reached (hand-over, catch-up,
promote, rejoin) and always removes the constraint and the intent, also on Ctrl-C.
  --to NODE     the node to promote (required)
  --timeout S   seconds to wait for the outcome (default 120)
  --json        one JSON result (outcome, reason, phases, time) instead of progress lines
  --dry-run     change nothing: copy the live CIB, add the move to the copy and run Pacemaker's scheduler
                on it (crm_simulate), then say what it would do, whether NODE has received everything up
                to the primary's published position, and what would block the switchover
Exit 0 when NODE is the primary and the old one its standby (with --dry-run: nothing blocks it); 1 with
the reason when it was refused, timed out or (with --dry-run) would be.`,
  },
  {
    name: 'explain',
    synopsis: 'promigrate explain PATH... [--json]',
    summary:
      'what a transition graph, CIB, pe-input-N.bz2 or a directory of them (a history) does to the\npromoted role of each promotable clone',
    details: `PATH is a transition graph, a CIB (run through Pacemaker's scheduler, crm_simulate), a
pe-input-N.bz2 / pe-warn / pe-error file, or a directory of them read as one history in the order the
scheduler wrote them. Each change of a promoted role is classified: switchover, failover, recovery,
promotion or demotion, with the cause (move, ban, standby, failure, node-lost, fenced, ...) and, for a
history, the transitions it spanned; a directory's newest transition is reported as planned.
  --json   one JSON object instead of lines`,
  },
  {
    name: 'check-history',
    synopsis: 'promigrate check-history DIR [--log FILE]... [--year YYYY] [--json]',
    summary:
      "replay a cluster's pe-input history (and the agents' lines of its logs) against the model:\nevery promoted-role change as model events, and what the model forbids, by transition",
    details: `DIR holds the pe-input-N.bz2 files of a cluster (the DC's /var/lib/pacemaker/pengine), read in the order
the scheduler wrote them. Every change of a promoted role is shown with the transitions it spanned and the
model's events it maps to. Checked: at most one promoted instance (promoted-max 1) in every input; with
--log, every promotion an ocf:promigrate agent logged is replayed through the model with the final
position recorded before it (a hand-over or a plain demote, as the agents logged them) and where the node
really was (its timeline's switch point): a switchover the model would have aborted and a promotion behind
a recorded final position are reported with the transition they happened in.
  --log FILE    a node's pacemaker.log (repeat for every node: each logs its own agents' lines)
  --year YYYY   the year of the logs' time stamps, which carry none (default: this year, UTC)
  --json        one JSON object instead of lines
Exit 0 when nothing is violated, 1 when something is (each printed), 2 for bad usage or an unreadable
input.`,
  },
  {
    name: 'demo',
    synopsis: 'promigrate demo',
    summary: 'play the model through S1 switchover, S2 aborted switchover, S3 failover',
    details: `Prints each event → state of the three scenarios with the reason and the instruction for the agent.
The same scenarios on real PostgreSQL with the real agents are a lab tool of the source tree: npm run demo.`,
  },
  {
    name: 'paths',
    synopsis: 'promigrate paths [--nodes N] [--json]',
    summary: 'test paths generated from the statechart, with their coverage',
    details: `Shortest paths to every transition plus bounded simple paths, generated with xstate/graph.
  --nodes N   nodes of the promotable clone, 2 to 5 (default 3)
  --json      machine-readable output`,
  },
  {
    name: 'check',
    synopsis: 'promigrate check [--nodes N] [--json]',
    summary: "check the model's invariants on every reachable state",
    details: `Exit 1 when an invariant is violated in some reachable state.
  --nodes N   nodes of the promotable clone, 2 to 5 (default 3)
  --json      machine-readable output`,
  },
  {
    name: 'model',
    synopsis: 'promigrate model',
    summary: 'the model as Markdown with a Mermaid diagram (docs/model.md)',
    details: 'Prints the statechart: states, events, guards, the information rules, as Markdown.',
  },
  {
    name: 'install-agents',
    synopsis: 'promigrate install-agents [--ocf-root DIR]',
    summary: 'install ocf:promigrate:pgsql and :stateful as DIR/resource.d/promigrate/{pgsql,stateful}',
    details: `Copies the agents next to this promigrate into an OCF root (default /usr/lib/ocf): the entry points
DIR/resource.d/promigrate/{pgsql,stateful} and their bundles DIR/lib/promigrate/*.cjs, each renamed over
the old one so a monitor running meanwhile sees one agent or the other. The Debian package installs them
itself; this is for a checkout.
  --ocf-root DIR   an absolute directory (default /usr/lib/ocf)`,
  },
];

function indent(text: string, width: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(width)}`);
}

export const usage = `promigrate — migrate_to / migrate_from semantics for the promoted role of Pacemaker promotable clones

Usage:
${commandHelp.map((command) => `  ${command.synopsis}\n      ${indent(command.summary, 6)}`).join('\n')}
  promigrate COMMAND --help | promigrate help COMMAND
  promigrate --help | --version

Exit codes: 0 success, 1 a check failed or the switchover was refused, 2 bad usage or bad input.
`;

/** The page of one command, or null for a name that is none. */
export function usageOf(name: string): string | null {
  const command = commandHelp.find((each) => each.name === name);
  if (command === undefined) return null;
  return `Usage: ${command.synopsis}\n\n${command.summary.replaceAll('\n', ' ')}.\n\n${command.details}\n`;
}
