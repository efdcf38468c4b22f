export const usage = `promigrate — migrate_to / migrate_from semantics for the promoted role of Pacemaker promotable clones

Usage:
  promigrate explain PATH... [--json]    what a transition graph, CIB, pe-input-N.bz2 or a directory of
                                         them (a history) does to the promoted role of each promotable clone
  promigrate demo [--postgresql]         play the model through S1 switchover, S2 aborted switchover, S3 failover;
                                         with --postgresql on three local PostgreSQL instances, the real
                                         agents and Pacemaker's scheduler (root; cleans up after itself)
  promigrate paths [--nodes N] [--json]  test paths generated from the statechart, with their coverage
  promigrate check [--nodes N] [--json]  check the model's invariants on every reachable state
  promigrate model                       the model as Markdown with a Mermaid diagram (docs/model.md)
  promigrate install-agents [--ocf-root DIR]
                                         install ocf:promigrate:pgsql and :stateful as
                                         DIR/resource.d/promigrate/{pgsql,stateful} (default /usr/lib/ocf)
  promigrate switchover CLONE --to NODE [--json] [--timeout S]
                                         on a cluster node: move the promoted role of CLONE to NODE
                                         (intent + move, followed through hand-over, catch-up, promote,
                                         rejoin; the constraint and intent are always removed)
  promigrate --help | --version

Options:
  --nodes N   nodes of the promotable clone, 2 to 5 (default 3 for paths and check)
  --json      machine-readable output

Exit codes: 0 success, 1 a check failed or the switchover was refused, 2 bad usage or bad input.
`;
