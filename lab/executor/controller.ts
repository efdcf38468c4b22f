/**
 * Plays Pacemaker's controller on one machine with Pacemaker's own scheduler: the cluster state is a CIB
 * file; each transition is computed by the real `crm_simulate`, parsed by the adapter, and its actions run
 * in graph order (all inputs confirmed, in parallel otherwise) by invoking the real agents with the
 * environment pacemaker-execd gives them; the real outcomes are written back into the CIB's status the way
 * the controller records them, and the next transition is computed from there until nothing is left to do.
 * Aborts as the controller does them: a failed action aborts at its synapse's priority + 1, a change of
 * transient attributes (an agent's score, a fail count) at INFINITY; actions in flight finish, and
 * synapses above the abort's priority (notifications) still run. ../shared/notes/executor.md has why.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { InputError } from '../../src/adapter/inputError.ts';
import { type GraphAction, parseTransitionGraph, type TransitionGraph } from '../../src/adapter/transitionGraph.ts';
import { attribute, child, children, parseXmlDocument, type XmlElement } from '../../src/adapter/xmlDocument.ts';
import { type AgentProcessResult, runAsExecd } from './agentProcess.ts';
import { failCountAfter, type OperationOutcome, operationEntries } from './operationRecord.ts';
import { emulatedScheduler, type SchedulerInterface } from './schedulerInterface.ts';

export interface ControllerSpec {
  /** The CIB file that is the cluster's state. */
  readonly cib: string;
  /** Where graphs and scratch files go. */
  readonly workDir: string;
  /** The OCF root whose resource.d holds the agents the CIB names. */
  readonly ocfRoot: (provider: string) => string;
  /** What every agent process on `node` gets besides the action's own variables (tools, CIB_file, …). */
  readonly environment: (node: string) => Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
  /** Told of every action once it is done; the transition waits for it (a test may act between two actions). */
  readonly onAction?: (executed: ExecutedAction) => void | Promise<void>;
  /** Each line an agent writes on stderr, as it is written. */
  readonly onAgentLine?: (action: GraphAction, line: string) => void;
  /**
   * Carries out a fencing action the scheduler planned (`crm_event` stonith): the node is powered off. The
   * stand-in for pacemaker-fenced and its device; the controller's own bookkeeping is done here.
   */
  readonly fence?: (node: string) => Promise<void>;
  /** Whose scheduler computes the transitions (Debian's unless given). */
  readonly scheduler?: SchedulerInterface;
}

export interface ExecutedAction {
  readonly action: GraphAction;
  readonly result: AgentProcessResult | null;
  readonly ok: boolean;
  readonly ms: number;
}

export interface TransitionReport {
  readonly transition: number;
  readonly graph: TransitionGraph;
  readonly executed: readonly ExecutedAction[];
  readonly aborted: boolean;
}

const infinity = 1_000_000;
/** cibadmin's exit status when nothing matches (ENXIO). */
const noSuchObject = 105;

export class Controller {
  private transition = 0;
  private callId = 0;
  private readonly lock: string;
  /** The recurring operations in effect, by `node resource_operation_interval`: what their timers would run. */
  private readonly recurring = new Map<string, { action: GraphAction; rc: number }>();
  /** The last operation run per `node resource`, whose parameters a directly invoked operation takes. */
  private readonly lastOperation = new Map<string, GraphAction>();
  private abortRequested = false;

  constructor(readonly spec: ControllerSpec) {
    this.lock = `${spec.cib}.lock`;
  }

  /** A Pacemaker tool on the CIB file, serialised with every other writer (the file is rewritten in place). */
  async tool(command: string, args: readonly string[]): Promise<string> {
    const scheduler = this.spec.scheduler ?? emulatedScheduler;
    const program = command === 'crm_simulate' ? scheduler.crmSimulate : command;
    const result = await execa('flock', [this.lock, program, ...args], {
      env: {
        CIB_file: this.spec.cib,
        CIB_shadow_dir: this.spec.workDir,
        PCMK_logfacility: 'none',
        ...scheduler.environment,
      },
      stdin: 'ignore',
    });
    return result.stdout;
  }

  /**
   * Removes every element the XPath matches from the CIB file; none matching is fine (cibadmin's 105). A
   * removal of several elements is what cibadmin calls dangerous: without --force it refuses (107).
   */
  async erase(xpath: string): Promise<void> {
    await this.tool('cibadmin', ['--delete', '--delete-all', '--force', '--xpath', xpath]).catch((error) => {
      if ((error as { exitCode?: number }).exitCode !== noSuchObject) throw error;
    });
  }

  /** The next transition as the scheduler computes it from the current CIB (nothing is simulated). */
  async nextGraph(): Promise<TransitionGraph> {
    const graph = join(this.spec.workDir, `transition-${this.transition}.graph.xml`);
    await this.tool('crm_simulate', [
      '--xml-file',
      this.spec.cib,
      '--save-graph',
      graph,
      '--save-output',
      join(this.spec.workDir, 'scheduler-scratch.xml'),
    ]);
    return parseTransitionGraph(await readFile(graph, 'utf8'), graph);
  }

  /** Aborts the running transition as a cluster event would: actions in flight finish, no new one starts. */
  abort(): void {
    this.abortRequested = true;
  }

  /**
   * An operation today's scheduler never plans, run on `node` as pacemaker-execd would run it: the
   * resource's parameters as its last recurring operation there had them, plus `extra` meta attributes
   * (the proposed interface's migrate_to on a clone, with CRM_meta_migrate_source/target). Not recorded.
   */
  async invokeDirectly(
    node: string,
    resource: string,
    operation: string,
    extra: Readonly<Record<string, string>>,
  ): Promise<AgentProcessResult> {
    const model = this.lastOperation.get(`${node} ${resource}`);
    if (model === undefined) throw new Error(`no operation of ${resource} on ${node} to take its parameters from`);
    const attributes: Record<string, string> = { ...model.attributes, ...extra };
    for (const name of ['CRM_meta_interval', 'CRM_meta_role', 'CRM_meta_op_target_rc', 'CRM_meta_name'])
      delete attributes[name];
    attributes.CRM_meta_name = operation;
    for (const name of Object.keys(attributes)) if (name.startsWith('CRM_meta_notify_')) delete attributes[name];
    const action: GraphAction = {
      ...model,
      operation,
      key: `${resource}_${operation}_0`,
      attributes,
      attribute: (name) => attributes[name],
    };
    const onLine = this.spec.onAgentLine;
    return runAsExecd(
      join(
        this.spec.ocfRoot(action.agent?.provider ?? ''),
        'resource.d',
        action.agent?.provider ?? '',
        action.agent?.type ?? '',
      ),
      operation,
      this.agentEnvironment(action),
      onLine === undefined ? undefined : (line) => onLine(action, line),
    );
  }

  /**
   * The recurring monitors the scheduler plans next are started (and only they): after an aborted
   * transition, Pacemaker would start them first thing, and a fault made since is then known to it.
   */
  async startPlannedMonitors(): Promise<void> {
    const graph = await this.nextGraph();
    const monitors = graph.actions.filter(
      (action) =>
        action.kind === 'rsc_op' &&
        action.operation === 'monitor' &&
        Number(action.attribute('CRM_meta_interval') ?? '0') > 0 &&
        // Only those that wait for nothing: a monitor after a planned promote is for the promoted role.
        action.inputs.length === 0,
    );
    const transition = this.transition++;
    await Promise.all(monitors.map((action) => this.execute(action, transition)));
  }

  /** A resource's history on a node was refreshed: its recurring operations there are cancelled. */
  forgetResource(node: string, resource: string): void {
    for (const [key, entry] of this.recurring) {
      if (entry.action.node === node && entry.action.resource === resource) this.recurring.delete(key);
    }
  }

  /** A node left: its recurring operations stop with it. */
  forgetNode(node: string): void {
    for (const [key, entry] of this.recurring) if (entry.action.node === node) this.recurring.delete(key);
  }

  /**
   * Every recurring monitor fires once, as its timer would: a result that differs from the last one is
   * recorded as the controller records it (a failure with its fail count). Returns the failed ones.
   */
  async fireRecurringMonitors(): Promise<ExecutedAction[]> {
    const failed: ExecutedAction[] = [];
    await Promise.all(
      [...this.recurring.values()].map(async (entry) => {
        const begun = performance.now();
        const { ok, result } = await this.execute(entry.action, this.transition, entry);
        if (!ok) failed.push({ action: entry.action, result, ok, ms: performance.now() - begun });
      }),
    );
    return failed;
  }

  /** Runs transitions until the scheduler plans nothing; fails when it does not settle. */
  async settle(maxTransitions = 12): Promise<TransitionReport[]> {
    const reports: TransitionReport[] = [];
    for (let index = 0; index < maxTransitions; index++) {
      const graph = await this.nextGraph();
      if (graph.actions.length === 0) return reports;
      reports.push(await this.run(graph));
    }
    throw new Error(`the cluster did not settle within ${maxTransitions} transitions`);
  }

  /** Every node's transient attributes as one comparable text: a change aborts the transition, as in Pacemaker. */
  private async transientAttributes(): Promise<string> {
    const element = await this.readCib();
    const values: string[] = [];
    for (const state of children(child(element, 'status'), 'node_state')) {
      for (const set of children(child(state, 'transient_attributes'), 'instance_attributes')) {
        for (const pair of children(set, 'nvpair')) {
          values.push(JSON.stringify([attribute(state, 'uname'), attribute(pair, 'name'), attribute(pair, 'value')]));
        }
      }
    }
    return values.sort().join('\n');
  }

  /**
   * The CIB file as a document. The agents' crm_attribute calls rewrite it while actions run, so a read can
   * find it empty or half-written: read again (what the real controller never sees, its CIB is in memory).
   */
  private async readCib(): Promise<XmlElement> {
    for (let attempt = 1; ; attempt++) {
      try {
        return parseXmlDocument(await readFile(this.spec.cib, 'utf8'), this.spec.cib).element;
      } catch (error) {
        if (!(error instanceof InputError) || attempt >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** Executes one transition graph like the controller. */
  async run(graph: TransitionGraph): Promise<TransitionReport> {
    const transition = this.transition++;
    this.spec.log?.(`transition ${transition}: ${graph.actions.length} actions`);
    const confirmed = new Set<number>();
    const started = new Set<number>();
    const executed: ExecutedAction[] = [];
    let abortPriority = Number.NEGATIVE_INFINITY;
    this.abortRequested = false;
    let attributes = await this.transientAttributes();
    const running = new Map<number, Promise<void>>();
    const launchable = () =>
      graph.actions.filter(
        (action) =>
          !started.has(action.id) &&
          action.priority >= abortPriority &&
          action.inputs.every((input) => confirmed.has(input)),
      );
    for (;;) {
      for (const action of launchable()) {
        started.add(action.id);
        const task = (async () => {
          const begun = performance.now();
          const { ok, result } = await this.execute(action, transition);
          const done: ExecutedAction = { action, result, ok, ms: performance.now() - begun };
          executed.push(done);
          await this.spec.onAction?.(done);
          if (ok) confirmed.add(action.id);
          else abortPriority = Math.max(abortPriority, action.priority + 1);
          const now = await this.transientAttributes();
          if (now !== attributes || this.abortRequested) {
            attributes = now;
            abortPriority = infinity;
          }
        })().finally(() => running.delete(action.id));
        running.set(action.id, task);
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    const aborted = abortPriority > Number.NEGATIVE_INFINITY;
    if (aborted) this.spec.log?.(`transition ${transition} aborted`);
    return { transition, graph, executed, aborted };
  }

  private async execute(
    action: GraphAction,
    transition: number,
    timer?: { rc: number },
  ): Promise<{ ok: boolean; result: AgentProcessResult | null }> {
    if (action.kind === 'pseudo_event') return { ok: true, result: null };
    if (action.kind === 'crm_event') return this.clusterEvent(action);
    const node = action.node as string;
    const resource = action.resource as string;
    const interval = Number(action.attribute('CRM_meta_interval') ?? '0');
    if (action.operation === 'cancel') {
      const operation = action.attribute('CRM_meta_operation') ?? 'monitor';
      await this.removeEntry(node, `${resource}_${operation}_${interval}`);
      this.recurring.delete(`${node} ${resource}_${operation}_${interval}`);
      return { ok: true, result: null };
    }
    const agent = action.agent;
    if (agent === null || (agent.class !== 'ocf' && agent.class !== 'stonith')) {
      throw new Error(`action ${action.key}: only OCF agents and fence devices are run`);
    }
    if (action.operation !== 'notify') this.lastOperation.set(`${node} ${resource}`, action);
    const begun = Date.now();
    const onLine = this.spec.onAgentLine;
    const result =
      agent.class === 'stonith'
        ? this.fenceDeviceOperation(node, resource, action.operation, interval)
        : await runAsExecd(
            join(this.spec.ocfRoot(agent.provider), 'resource.d', agent.provider, agent.type),
            action.operation,
            this.agentEnvironment(action),
            onLine === undefined ? undefined : (line) => onLine(action, line),
          );
    const ms = Date.now() - begun;
    this.spec.log?.(`${node} ${action.key} → ${result.code}`);
    if (action.operation === 'notify') return { ok: true, result };
    const expectedRc = Number(action.attribute('CRM_meta_op_target_rc') ?? '0');
    const probe = action.operation === 'monitor' && interval === 0;
    const ok = probe ? [0, 7, 8].includes(result.code) : result.code === expectedRc;
    // A stopped instance's recurring operations end with it, as execd cancels them.
    if (action.operation === 'stop' && ok) {
      for (const [key, entry] of this.recurring) {
        if (entry.action.node === node && entry.action.resource === resource) this.recurring.delete(key);
      }
    }
    if (interval > 0) {
      const key = `${node} ${resource}_${action.operation}_${interval}`;
      // A timer's run is recorded only when its result changed, as the controller does.
      if (timer !== undefined && timer.rc === result.code) return { ok, result };
      this.recurring.set(key, { action, rc: result.code });
    }
    const exitReason = /^ocf-exit-reason:(.*)$/m.exec(result.stderr)?.[1] ?? '';
    const outcome: OperationOutcome = {
      resource,
      node,
      operation: action.operation,
      interval,
      actionId: action.id,
      transition,
      expectedRc,
      rc: result.code,
      callId: ++this.callId,
      attributes: action.attributes,
      exitReason,
      at: Date.now(),
      ms,
    };
    await this.record(outcome, agent, !ok);
    if (!ok && !probe) await this.countFailure(node, resource, action.operation, interval);
    return { ok, result };
  }

  /**
   * A fence device's operation, as pacemaker-fenced answers it for the controller: start and stop register
   * and unregister the device, a monitor of a registered device succeeds, a probe before the start finds
   * it not running. No fence agent runs here (the `fence` callback powers nodes off).
   */
  private fenceDeviceOperation(
    node: string,
    resource: string,
    operation: string,
    interval: number,
  ): AgentProcessResult {
    const key = `${node} ${resource}`;
    if (operation === 'start') this.devices.add(key);
    if (operation === 'stop') this.devices.delete(key);
    const code = operation === 'monitor' && interval === 0 && !this.devices.has(key) ? 7 : 0;
    return { code, stdout: '', stderr: '' };
  }

  private readonly devices = new Set<string>();

  /**
   * A fencing action: the node powered off (the `fence` callback), then what the controller records once
   * the fencer confirms it — the node's resource history and transient attributes erased, the node down
   * and expected down — and its recurring operations gone with it.
   */
  private async fenceNode(node: string): Promise<void> {
    if (this.spec.fence === undefined) throw new Error(`fencing ${node} was planned, but this cluster has no fence`);
    await this.spec.fence(node);
    for (const part of ['lrm', 'transient_attributes']) {
      await this.erase(`//node_state[@id='${node}']/${part}`);
    }
    await this.tool('cibadmin', [
      '--modify',
      '--scope',
      'status',
      '--xml-text',
      `<node_state id="${node}" in_ccm="false" crmd="offline" join="down" expected="down"/>`,
    ]);
    this.forgetNode(node);
    for (const key of [...this.devices]) if (key.startsWith(`${node} `)) this.devices.delete(key);
  }

  /** The environment pacemaker-execd gives an agent for `action`. */
  private agentEnvironment(action: GraphAction): Record<string, string> {
    const agent = action.agent as NonNullable<GraphAction['agent']>;
    const env: Record<string, string> = {
      ...this.spec.environment(action.node as string),
      OCF_ROOT: this.spec.ocfRoot(agent.provider),
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_RESOURCE_INSTANCE: action.resource as string,
      OCF_RESOURCE_TYPE: agent.type,
      OCF_RESOURCE_PROVIDER: agent.provider,
    };
    for (const [name, value] of Object.entries(action.attributes)) {
      if (name !== 'CRM_meta_op_target_rc') env[`OCF_RESKEY_${name}`] = value;
    }
    return env;
  }

  private async record(
    outcome: OperationOutcome,
    agent: NonNullable<GraphAction['agent']>,
    failed: boolean,
  ): Promise<void> {
    const entries = operationEntries(outcome, failed).join('');
    const node = outcome.node;
    await this.tool('cibadmin', [
      '--modify',
      '--allow-create',
      '--scope',
      'status',
      '--xml-text',
      `<node_state id="${node}"><lrm id="${node}"><lrm_resources><lrm_resource id="${outcome.resource}" class="${agent.class}"${agent.provider === '' ? '' : ` provider="${agent.provider}"`} type="${agent.type}">${entries}</lrm_resource></lrm_resources></lrm></node_state>`,
    ]);
  }

  private async removeEntry(node: string, id: string): Promise<void> {
    await this.tool('cibadmin', ['--delete', '--xpath', `//node_state[@id='${node}']//lrm_rsc_op[@id='${id}']`]).catch(
      () => undefined,
    );
  }

  private async countFailure(node: string, resource: string, operation: string, interval: number): Promise<void> {
    const name = `fail-count-${resource}#${operation}_${interval}`;
    const current = await this.tool('crm_attribute', [
      '--node',
      node,
      '--lifetime',
      'reboot',
      '--name',
      name,
      '--query',
      '--quiet',
    ])
      .then((text) => Number(text.trim()) || 0)
      .catch(() => 0);
    const update = (attribute: string, value: number) =>
      this.tool('crm_attribute', [
        '--node',
        node,
        '--lifetime',
        'reboot',
        '--name',
        attribute,
        '--update',
        String(value),
      ]);
    await update(name, failCountAfter(operation, current));
    await update(`last-failure-${resource}#${operation}_${interval}`, Math.floor(Date.now() / 1000));
  }

  private async clusterEvent(action: GraphAction): Promise<{ ok: boolean; result: null }> {
    if (action.operation === 'clear_failcount' && action.node !== null && action.resource !== null) {
      await this.erase(
        `//node_state[@id='${action.node}']//nvpair[starts-with(@name,'fail-count-${action.resource}#') or starts-with(@name,'last-failure-${action.resource}#')]`,
      );
      return { ok: true, result: null };
    }
    if (action.operation === 'stonith' && action.node !== null) {
      await this.fenceNode(action.node);
      return { ok: true, result: null };
    }
    return { ok: true, result: null };
  }
}
