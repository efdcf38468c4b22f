/** A Pacemaker transition graph (`<transition_graph>`, as `crm_simulate -G` writes it), parsed into actions. */
import { InputError } from './inputError.ts';
import { attribute, attributes, child, children, parseXmlDocument, type XmlElement } from './xmlDocument.ts';

export type GraphActionKind = 'rsc_op' | 'pseudo_event' | 'crm_event';

export interface GraphAction {
  readonly id: number;
  readonly kind: GraphActionKind;
  readonly operation: string;
  readonly key: string;
  readonly node: string | null;
  /** The primitive id for resource operations (`pgsql`, not `pgsql:0`). */
  readonly resource: string | null;
  /** Every attribute of the action's `<attributes>` (built on first use: large graphs carry many). */
  readonly attributes: Readonly<Record<string, string>>;
  attribute(name: string): string | undefined;
  /** Ids of the actions this one waits for. */
  readonly inputs: readonly number[];
  /** Its synapse's priority: an aborted transition still starts the synapses above the abort's priority. */
  readonly priority: number;
  /** The primitive's `class`, `provider` and `type`, for resource operations. */
  readonly agent: { readonly class: string; readonly provider: string; readonly type: string } | null;
}

export interface TransitionGraph {
  readonly transition: number | null;
  readonly actions: readonly GraphAction[];
}

const kinds: readonly GraphActionKind[] = ['rsc_op', 'pseudo_event', 'crm_event'];

function toAction(
  kind: GraphActionKind,
  element: XmlElement,
  inputs: number[],
  priority: number,
  source: string,
): GraphAction {
  const id = Number(attribute(element, 'id'));
  const operation = attribute(element, 'operation');
  if (!Number.isInteger(id) || operation === undefined) {
    throw new InputError(source, `<${kind}> without a numeric id or an operation`);
  }
  const values = child(element, 'attributes');
  const primitive = child(element, 'primitive');
  const agentClass = attribute(primitive, 'class');
  return {
    id,
    kind,
    operation,
    key: attribute(element, 'operation_key') ?? '',
    node: attribute(element, 'on_node') ?? null,
    resource: attribute(child(element, 'primitive'), 'id') ?? null,
    get attributes() {
      return attributes(values);
    },
    attribute: (name) => attribute(values, name),
    inputs,
    priority,
    agent:
      agentClass === undefined
        ? null
        : {
            class: agentClass,
            provider: attribute(primitive, 'provider') ?? '',
            type: attribute(primitive, 'type') ?? '',
          },
  };
}

export function transitionGraphFromElement(element: XmlElement, source: string): TransitionGraph {
  const byId = new Map<number, GraphAction>();
  for (const synapse of children(element, 'synapse')) {
    const inputs = children(child(synapse, 'inputs'), 'trigger').flatMap((trigger) =>
      kinds.flatMap((kind) => children(trigger, kind).map((input) => Number(attribute(input, 'id')))),
    );
    const priority = Number(attribute(synapse, 'priority') ?? '0') || 0;
    for (const kind of kinds) {
      for (const action of children(child(synapse, 'action_set'), kind)) {
        const parsed = toAction(kind, action, inputs, priority, source);
        byId.set(parsed.id, parsed);
      }
    }
  }
  const transition = Number(attribute(element, 'transition_id'));
  return { transition: Number.isInteger(transition) ? transition : null, actions: [...byId.values()] };
}

export function parseTransitionGraph(text: string, source: string): TransitionGraph {
  const { root, element } = parseXmlDocument(text, source);
  if (root !== 'transition_graph') throw new InputError(source, `expected <transition_graph>, found <${root}>`);
  return transitionGraphFromElement(element, source);
}
