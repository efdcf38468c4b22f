/**
 * One agent action's OCF environment → TransitionFacts, so that an agent classifies the transition it is
 * part of with the same code as `explain`. Within one transition every notify round and the demote/promote
 * actions carry the same lists (the state when the transition was computed); an empty list is " ".
 */
import { classifyChange, type Migration } from './classify.ts';
import type { TransitionFacts } from './facts.ts';
import { InputError } from './inputError.ts';
import { notifyList } from './notifyList.ts';

export type OcfEnvironment = Readonly<Record<string, string | undefined>>;

const meta = (env: OcfEnvironment, name: string) => env[`OCF_RESKEY_CRM_meta_${name}`];

/** Current names first, then the legacy master/slave aliases that older clusters send. */
function list(env: OcfEnvironment, ...names: string[]): string[] | null {
  for (const name of names) {
    const value = meta(env, `notify_${name}_uname`);
    if (value !== undefined) return notifyList(value);
  }
  return null;
}

export function factsFromEnvironment(action: string, env: OcfEnvironment, source = 'environment'): TransitionFacts {
  const instance = env.OCF_RESOURCE_INSTANCE;
  if (instance === undefined || instance.trim() === '')
    throw new InputError(source, 'OCF_RESOURCE_INSTANCE is not set');
  const primitive = instance.replace(/:\d+$/, '');
  const node = meta(env, 'on_node') ?? null;
  const promoted = list(env, 'promoted', 'master');
  const lists = {
    promote: list(env, 'promote'),
    demote: list(env, 'demote'),
    stop: list(env, 'stop'),
    start: list(env, 'start'),
  };
  // Without notify=true there are no lists: the action itself is all that is known.
  const own = (operation: string) => (action === operation && node !== null ? [node] : []);
  const promote = lists.promote ?? own('promote');
  const demote = lists.demote ?? own('demote');
  return {
    transition: null,
    clones: [
      {
        resource: primitive,
        primitive,
        promotedBefore: [...new Set(promoted ?? demote)].sort(),
        promote: [...new Set(promote)].sort(),
        demote: [...new Set(demote)].sort(),
        stop: [...new Set(lists.stop ?? own('stop'))].sort(),
        start: [...new Set(lists.start ?? own('start'))].sort(),
        listed: promoted !== undefined,
      },
    ],
    fenced: [],
    cluster: null,
  };
}

/** The environment pacemaker-execd gives an action of a graph: every attribute as `OCF_RESKEY_<name>`. */
export function environmentOfAction(
  resource: string,
  attributes: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = { OCF_RESOURCE_INSTANCE: resource };
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'CRM_meta_op_target_rc') env[`OCF_RESKEY_${name}`] = value;
  }
  return env;
}

/** Nodes this transition knows to be online: those with an instance of the clone (or getting one), and this node. */
export function onlineNodes(env: OcfEnvironment): string[] {
  const names = new Set<string>();
  const node = meta(env, 'on_node');
  if (node !== undefined && node !== '') names.add(node);
  // Not `available`: Pacemaker lists there every node the clone may run on, offline and fenced ones
  // included (seen in a real cluster: a fenced node in notify_available_uname), and such a node, taken as
  // online with a standby whose position nobody published, would block every election.
  for (const name of ['active', 'promoted', 'master', 'unpromoted', 'slave', 'start', 'promote', 'demote']) {
    for (const listed of list(env, name) ?? []) names.add(listed);
  }
  return [...names].sort();
}

/** Whether the action carries notify lists at all (a clone with notify=true). */
export function hasNotifyLists(env: OcfEnvironment): boolean {
  return Object.keys(env).some((name) => /^OCF_RESKEY_CRM_meta_notify_\w+_uname$/.test(name));
}

/**
 * What the transition an action is part of does to the promoted role of the agent's own clone, as
 * `explain` would classify it; null without notify lists (notify=false) or when the role does not change.
 */
export function migrationInEnvironment(action: string, env: OcfEnvironment): Migration | null {
  if (!hasNotifyLists(env)) return null;
  const facts = factsFromEnvironment(action, env);
  const change = facts.clones[0];
  return change === undefined ? null : (classifyChange(change, facts)[0] ?? null);
}
