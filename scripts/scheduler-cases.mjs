#!/usr/bin/env node
/**
 * The proposal's scheduler cases (upstream/cts-scheduler): `inputs` makes each case's input CIB with
 * Pacemaker's own tools (crm_simulate runs the transitions, crm_resource and crm_attribute change the
 * cluster as an operator would) and writes the half-done migrations' history entries that no tool can
 * record today. What the installed crm_simulate does with each input (today/) is written by
 * `PROMIGRATE_CASES_UPDATE=1 npx vitest run test/upstream/schedulerCases.test.ts`, and checked by the same
 * test without it; the proposed outputs (proposed/) are written by hand.
 *
 *   node scripts/scheduler-cases.mjs inputs [CASE...]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = 'upstream/cts-scheduler';
const nodes = ['node1', 'node2', 'node3'];
/** The feature set the proposal introduces the promoted-role migration with (2.1.5 has 3.16.1). */
const featureSet = '3.16.2';

/** One Pacemaker tool on the CIB file `cib`, as on a live cluster. */
function tool(dir, cib, command, args) {
  return execFileSync(command, args, {
    env: { ...process.env, CIB_file: cib, CIB_shadow_dir: dir, PCMK_logfacility: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

function simulate(dir, cib, args) {
  const out = join(dir, 'out.xml');
  execFileSync('crm_simulate', ['--xml-file', cib, ...args, '--save-output', out], {
    env: { ...process.env, CIB_shadow_dir: dir, PCMK_logfacility: 'none' },
    stdio: 'ignore',
  });
  copyFileSync(out, cib);
}

function settle(dir, cib) {
  for (let round = 0; round < 6; round++) {
    const graph = join(dir, 'graph.xml');
    simulate(dir, cib, ['--simulate', '--save-graph', graph]);
    if (!readFileSync(graph, 'utf8').includes('<synapse')) return;
  }
  throw new Error('the cluster did not settle');
}

function pairs(id, values) {
  return Object.entries(values)
    .map(([name, value]) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`)
    .join('');
}

/** The clone as the operator's guide configures it, with the proposed opt-in. */
function cloneXml(meta) {
  const monitors =
    '<op id="pg-monitor-promoted" name="monitor" interval="15s" timeout="10s" role="Promoted"/>' +
    '<op id="pg-monitor-unpromoted" name="monitor" interval="16s" timeout="10s" role="Unpromoted"/>';
  return (
    `<clone id="pg-ha"><meta_attributes id="pg-ha-meta">${pairs('pg-ha-meta', meta)}</meta_attributes>` +
    `<primitive id="pg" class="ocf" provider="pacemaker" type="Stateful"><operations>${monitors}</operations></primitive></clone>`
  );
}

const address =
  '<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">' +
  '<instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="192.0.2.10"/></instance_attributes>' +
  '<operations><op id="vip-monitor" name="monitor" interval="10s"/></operations></primitive>';

const addressGroup =
  '<group id="front"><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">' +
  '<instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="192.0.2.10"/></instance_attributes></primitive>' +
  '<primitive id="pooler" class="ocf" provider="pacemaker" type="Dummy"/></group>';

/** The colocation and order of the guide's primary address, for `resource` (vip or a group). */
function withPromoted(resource) {
  return (
    `<rsc_colocation id="${resource}-with-promoted" rsc="${resource}" with-rsc="pg-ha" with-rsc-role="Promoted" score="INFINITY"/>` +
    `<rsc_order id="promote-then-${resource}" first="pg-ha" first-action="promote" then="${resource}" then-action="start" kind="Mandatory" symmetrical="false"/>` +
    `<rsc_order id="demote-then-stop-${resource}" first="pg-ha" first-action="demote" then="${resource}" then-action="stop" kind="Mandatory" symmetrical="false"/>`
  );
}

/** A settled cluster: fencing on, the clone promoted on node1, and whatever `extra` adds. */
function settledCluster(dir, { meta = {}, resources = '', constraints = '', promotedOn = ['node1'] } = {}) {
  const cib = join(dir, 'cib.xml');
  const fence =
    '<primitive id="fence" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-ia">' +
    `<nvpair id="fence-hosts" name="pcmk_host_list" value="${nodes.join(' ')}"/></instance_attributes></primitive>`;
  const options = pairs('options', { 'stonith-enabled': 'true', 'no-quorum-policy': 'stop' });
  const cloneMeta = { promotable: 'true', 'promoted-max': '1', notify: 'true', 'allow-migrate': 'promoted', ...meta };
  writeFileSync(
    cib,
    `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1"><configuration><crm_config><cluster_property_set id="options">${options}</cluster_property_set></crm_config><nodes>${nodes.map((node) => `<node id="${node}" uname="${node}"/>`).join('')}</nodes><resources>${fence}${cloneXml(cloneMeta)}${resources}</resources><constraints>${constraints}</constraints></configuration><status/></cib>`,
  );
  simulate(
    dir,
    cib,
    nodes.flatMap((node) => ['--node-up', node]),
  );
  settle(dir, cib);
  for (const node of nodes) {
    const score = promotedOn.includes(node) ? '10' : '5';
    tool(dir, cib, 'crm_attribute', ['--node', node, '--lifetime', 'reboot', '--name', 'master-pg', '--update', score]);
    // What each node's controller sets at join: the feature set of a Pacemaker with the migration.
    tool(dir, cib, 'crm_attribute', [
      '--node',
      node,
      '--lifetime',
      'reboot',
      '--name',
      '#feature-set',
      '--update',
      featureSet,
    ]);
  }
  settle(dir, cib);
  return cib;
}

/**
 * Where node's `pg_last_0` entry is in the CIB text, the node's next call-id for the clone, and the newest
 * last-rc-change anywhere: what a result recorded after everything else needs.
 */
function lastEntry(xml, node) {
  const state = xml.indexOf(`<node_state id="${node}"`);
  const start = xml.indexOf('<lrm_rsc_op id="pg_last_0"', state);
  const end = xml.indexOf('/>', start) + 2;
  if (state < 0 || start < 0) throw new Error(`no history of pg on ${node}`);
  const resource = xml.slice(state, xml.indexOf('</lrm_resource>', start));
  const nextCall = Math.max(...[...resource.matchAll(/call-id="(\d+)"/g)].map((match) => Number(match[1]))) + 1;
  return { start, end, nextCall, newest: newestChange(xml) };
}

/** The newest last-rc-change of any history entry in the CIB text. */
function newestChange(xml) {
  return Math.max(...[...xml.matchAll(/last-rc-change="(\d+)"/g)].map((match) => Number(match[1])));
}

/**
 * Records a migrate_to or migrate_from result in node's history of the clone as the controller records
 * migrations (pcmk__create_history_xml): an entry of its own, `pg_migrate_to_0` / `pg_migrate_from_0`,
 * failed or not (no `_last_failure_0`), with migrate_source and migrate_target; `pg_last_0` keeps the
 * operation before it. Its call-id is the node's next; it is newer than anything recorded before it
 * (last-rc-change one second after the newest), as each half is, on whichever node — or, with sameSecond,
 * recorded within the newest's second, as two halves a second apart on a real cluster often are.
 */
function recordHalf(
  cib,
  node,
  { operation, rc = 0, status = 0, source = 'node1', target = 'node2', sameSecond = false },
) {
  const xml = readFileSync(cib, 'utf8');
  const { start, end, nextCall, newest } = lastEntry(xml, node);
  const half = xml
    .slice(start, end)
    .replace(/last-rc-change="[^"]*"/, `last-rc-change="${sameSecond ? newest : newest + 1}"`)
    .replace('id="pg_last_0"', `id="pg_${operation}_0"`)
    .replace(/operation_key="[^"]*"/, `operation_key="pg_${operation}_0"`)
    .replace(/operation="[^"]*"/, `operation="${operation}"`)
    .replace(/call-id="[^"]*"/, `call-id="${nextCall}"`)
    .replace(/rc-code="[^"]*"/, `rc-code="${rc}"`)
    .replace(/op-status="[^"]*"/, `op-status="${status}"`)
    .replace(/interval="[^"]*"/, 'interval="0"')
    .replace(/transition-magic="\d+:\d+;/, `transition-magic="${status}:${rc};`)
    .replace('/>', ` migrate_source="${source}" migrate_target="${target}"/>`);
  let result = `${xml.slice(0, end)}${half}${xml.slice(end)}`;
  if (operation === 'migrate_to') {
    // The promoted role's monitor is cancelled before migrate_to, and a cancelled monitor leaves the history.
    result = result.replace(
      new RegExp(`(<node_state id="${node}"[^]*?)<lrm_rsc_op id="pg_monitor_15000"[^>]*/>`),
      '$1',
    );
  }
  writeFileSync(cib, result);
}

/** A later result of `operation` (promote, demote…) in node's `pg_last_0`: newer than anything recorded. */
function recordLater(cib, node, operation) {
  const xml = readFileSync(cib, 'utf8');
  const { start, end, nextCall, newest } = lastEntry(xml, node);
  const later = xml
    .slice(start, end)
    .replace(/operation_key="[^"]*"/, `operation_key="pg_${operation}_0"`)
    .replace(/operation="[^"]*"/, `operation="${operation}"`)
    .replace(/call-id="[^"]*"/, `call-id="${nextCall}"`)
    .replace(/last-rc-change="[^"]*"/, `last-rc-change="${newest + 1}"`);
  writeFileSync(cib, xml.slice(0, start) + later + xml.slice(end));
}

function run(dir, cib, command, args) {
  tool(dir, cib, command, args);
}

/** What the controller records beside a failed action: the fail count and the time of the last failure. */
function failCount(dir, cib, node, operation) {
  for (const [name, value] of [
    [`fail-count-pg#${operation}_0`, '1'],
    [`last-failure-pg#${operation}_0`, '1796000100'],
  ]) {
    run(dir, cib, 'crm_attribute', ['--node', node, '--lifetime', 'reboot', '--name', name, '--update', value]);
  }
}

/**
 * Pins the time the scheduler runs at (the CIB's execution-date, which crm_simulate honours) to `seconds`
 * after the newest recorded result, so that a failure-timeout has expired however long ago the input was made.
 */
function executionDateAfterLastChange(cib, seconds) {
  const xml = readFileSync(cib, 'utf8');
  const date = newestChange(xml) + seconds;
  writeFileSync(cib, xml.replace('<cib ', `<cib execution-date="${date}" `));
}

const move = (dir, cib, to = 'node2') =>
  run(dir, cib, 'crm_resource', ['--resource', 'pg-ha', '--move', '--promoted', '--node', to]);

/** Each case: how its input is made from a fresh work directory. */
const inputs = {
  'promoted-migrate-basic': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-no-notify': (dir) => {
    const cib = settledCluster(dir, { meta: { notify: 'false' } });
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-half-done': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    return cib;
  },
  'promoted-migrate-half-done-retarget': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib, 'node3');
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    return cib;
  },
  'promoted-migrate-half-done-withdrawn': (dir) => {
    const cib = settledCluster(dir);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    return cib;
  },
  'promoted-migrate-to-fail': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to', rc: 1 });
    failCount(dir, cib, 'node1', 'migrate_to');
    return cib;
  },
  'promoted-migrate-from-fail': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    recordHalf(cib, 'node2', { operation: 'migrate_from', rc: 1 });
    failCount(dir, cib, 'node2', 'migrate_from');
    return cib;
  },
  'promoted-migrate-from-timeout': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    recordHalf(cib, 'node2', { operation: 'migrate_from', rc: 1, status: 2 });
    failCount(dir, cib, 'node2', 'migrate_from');
    return cib;
  },
  'promoted-migrate-from-fail-expired': (dir) => {
    const cib = settledCluster(dir, { meta: { 'failure-timeout': '60s' } });
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    recordHalf(cib, 'node2', { operation: 'migrate_from', rc: 1 });
    failCount(dir, cib, 'node2', 'migrate_from');
    executionDateAfterLastChange(cib, 120);
    return cib;
  },
  'promoted-migrate-from-pending': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    // record-pending: the controller writes the action before it runs (rc 193, op-status -1)
    recordHalf(cib, 'node2', { operation: 'migrate_from', rc: 193, status: -1 });
    return cib;
  },
  'promoted-migrate-aborted-then-source-lost': (dir) => {
    // A switchover aborted by the target's migrate_from, cleaned up (the target's history gone), the source
    // promoted again; the target lags (its promotion score -INFINITY) when the source's node is lost. The
    // source's later promote ends the migration: the third node is promoted, not held back for the target.
    const cib = settledCluster(dir);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    recordLater(cib, 'node1', 'promote');
    run(dir, cib, 'crm_attribute', [
      '--node',
      'node2',
      '--lifetime',
      'reboot',
      '--name',
      'master-pg',
      '--update=-INFINITY',
    ]);
    simulate(dir, cib, ['--node-fail', 'node1']);
    return cib;
  },
  'promoted-migrate-completed-same-second': (dir) => {
    // A completed migration node1 → node2 whose halves were recorded within one second (their order across
    // nodes unknowable by time), then a move to node3: the migrate_from decided the first migration.
    const cib = settledCluster(dir);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    recordHalf(cib, 'node2', { operation: 'migrate_from', sameSecond: true });
    move(dir, cib, 'node3');
    return cib;
  },
  'promoted-migrate-source-lost': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    simulate(dir, cib, ['--node-fail', 'node1']);
    return cib;
  },
  'promoted-migrate-target-lost': (dir) => {
    const cib = settledCluster(dir);
    move(dir, cib);
    recordHalf(cib, 'node1', { operation: 'migrate_to' });
    simulate(dir, cib, ['--node-fail', 'node2']);
    return cib;
  },
  'promoted-migrate-standby': (dir) => {
    const cib = settledCluster(dir);
    run(dir, cib, 'crm_attribute', ['--node', 'node1', '--name', 'standby', '--update', 'on']);
    return cib;
  },
  'promoted-migrate-ban': (dir) => {
    const cib = settledCluster(dir);
    run(dir, cib, 'crm_resource', ['--resource', 'pg-ha', '--ban', '--promoted', '--node', 'node1']);
    return cib;
  },
  'promoted-migrate-shutdown': (dir) => {
    const cib = settledCluster(dir);
    run(dir, cib, 'crm_attribute', [
      '--node',
      'node1',
      '--lifetime',
      'reboot',
      '--name',
      'shutdown',
      '--update',
      '1796000000',
    ]);
    return cib;
  },
  'promoted-migrate-promoted-max-2': (dir) => {
    const cib = settledCluster(dir, { meta: { 'promoted-max': '2' }, promotedOn: ['node1', 'node2'] });
    // --move --promoted refuses a clone promoted on two nodes ("Multiple items match request").
    run(dir, cib, 'crm_resource', ['--resource', 'pg-ha', '--ban', '--promoted', '--node', 'node1']);
    return cib;
  },
  'promoted-migrate-address': (dir) => {
    const cib = settledCluster(dir, { resources: address, constraints: withPromoted('vip') });
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-group': (dir) => {
    const cib = settledCluster(dir, { resources: addressGroup, constraints: withPromoted('front') });
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-maintenance': (dir) => {
    const cib = settledCluster(dir);
    run(dir, cib, 'crm_attribute', ['--type', 'crm_config', '--name', 'maintenance-mode', '--update', 'true']);
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-mixed-feature-set': (dir) => {
    const cib = settledCluster(dir);
    // node3 still runs 2.1.5.
    run(dir, cib, 'crm_attribute', [
      '--node',
      'node3',
      '--lifetime',
      'reboot',
      '--name',
      '#feature-set',
      '--update',
      '3.16.1',
    ]);
    move(dir, cib);
    return cib;
  },
  'promoted-migrate-clone-max-1': (dir) => {
    // Settled without migration (the bug itself would otherwise write the instance's way to node1 as a
    // migration into the history, which Debian's fixed unpack and the plain 2.1.5 tarball read differently).
    const cib = settledCluster(dir, { meta: { 'clone-max': '1', 'allow-migrate': 'false' } });
    run(dir, cib, 'crm_resource', [
      '--resource',
      'pg-ha',
      '--meta',
      '--set-parameter',
      'allow-migrate',
      '--parameter-value',
      'true',
    ]);
    // A plain move (not --promoted): the one instance itself goes to node2.
    run(dir, cib, 'crm_resource', ['--resource', 'pg-ha', '--move', '--node', 'node2']);
    return cib;
  },
};

/**
 * crm_simulate records a cancelled monitor as a `cancel` result and keeps the monitor's entry; a real
 * controller records neither (it deletes the monitor's entry). Without this, a scheduler that reads the
 * cancel entry as a recurring operation of its own schedules `Cancel pg_cancel_16000`.
 */
function withoutCancellations(xml) {
  return xml.replace(/<lrm_resource [^>]*>[\s\S]*?<\/lrm_resource>/g, (resource) => {
    const cancels = [...resource.matchAll(/<lrm_rsc_op [^>]*operation="cancel"[^>]*interval="(\d+)"[^>]*\/>/g)];
    let kept = resource;
    const callId = (entry) => Number(/call-id="(\d+)"/.exec(entry)?.[1] ?? -1);
    for (const [cancel, interval] of cancels) {
      const monitor = new RegExp(`\\s*<lrm_rsc_op id="[^"]*_monitor_${interval}"[^>]*/>`).exec(kept)?.[0];
      if (monitor !== undefined && callId(monitor) < callId(cancel)) kept = kept.replace(monitor, '');
      kept = kept.replace(cancel, '');
    }
    return kept;
  });
}

/**
 * A real controller names the node in every history entry it records (`on_node`, pcmk__create_history_xml);
 * crm_simulate's injected results do not. Pacemaker 3 orders two entries of different nodes by it
 * (pe__is_newer_op: entries without it count as the same node's, compared by call-id).
 */
function withNodeNames(xml) {
  return xml.replace(/<node_state id="[^"]*" uname="([^"]*)"[\s\S]*?<\/node_state>/g, (state, node) =>
    state.replace(/<lrm_rsc_op (?![^>]* on_node=)([^>]*? exit-reason="[^"]*")/g, `<lrm_rsc_op $1 on_node="${node}"`),
  );
}

function makeInputs(only) {
  mkdirSync(join(root, 'xml'), { recursive: true });
  for (const name of only.length > 0 ? only : Object.keys(inputs)) {
    const dir = mkdtempSync(join(tmpdir(), 'promigrate-case-'));
    try {
      const cib = inputs[name](dir);
      const pretty = execFileSync('xmllint', ['--format', cib], { encoding: 'utf8' });
      writeFileSync(join(root, 'xml', `${name}.xml`), withNodeNames(withoutCancellations(pretty)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const command = process.argv[2];
if (command === 'inputs') makeInputs(process.argv.slice(3));
else {
  process.stderr.write('usage: node scripts/scheduler-cases.mjs inputs [CASE...]\n');
  process.exit(2);
}
