/**
 * A large synthetic cluster for the adapter benchmark: N nodes, C promotable clones with notify, settled
 * (every instance started, clone i promoted on node i mod N, the promotion scores agents would have set),
 * and a move constraint for every clone, so that the real scheduler plans C switchovers at once.
 * The status is written directly: letting crm_simulate execute the start-up of 1,600 instances takes minutes.
 * `digest` is the op-digest the scheduler computes for these primitives' start/promote (read from a small
 * real simulation by the benchmark), so that it sees the recorded operations as current.
 */
export interface SyntheticSize {
  readonly nodes: number;
  readonly clones: number;
}

function nodeName(index: number): string {
  return `node${index + 1}`;
}

export function syntheticCib(size: SyntheticSize, digest: string): string {
  const nodes = Array.from({ length: size.nodes }, (_, index) => nodeName(index));
  const clones = Array.from({ length: size.clones }, (_, index) => ({ id: `db${index}-ha`, primitive: `db${index}` }));
  const nodeXml = nodes.map((node) => `<node id="${node}" uname="${node}"/>`).join('');
  const cloneXml = clones
    .map(
      ({ id, primitive }) =>
        `<clone id="${id}"><meta_attributes id="${id}-meta"><nvpair id="${id}-p" name="promotable" value="true"/><nvpair id="${id}-n" name="notify" value="true"/></meta_attributes><primitive id="${primitive}" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="${primitive}-mp" name="monitor" interval="10s" role="Promoted"/><op id="${primitive}-mu" name="monitor" interval="11s" role="Unpromoted"/></operations></primitive></clone>`,
    )
    .join('');
  const status = nodes
    .map((node, nodeIndex) => {
      const scores = clones
        .map(({ primitive }, cloneIndex) => {
          const score = cloneIndex % size.nodes === nodeIndex ? 100 : 5;
          return `<nvpair id="status-${node}-master-${primitive}" name="master-${primitive}" value="${score}"/>`;
        })
        .join('');
      const history = clones
        .map(({ primitive }, cloneIndex) => {
          const operation = cloneIndex % size.nodes === nodeIndex ? 'promote' : 'start';
          const key = `1:0:0:bench-${node}-${primitive}`;
          return `<lrm_resource id="${primitive}" type="Stateful" class="ocf" provider="pacemaker"><lrm_rsc_op id="${primitive}_last_0" operation_key="${primitive}_${operation}_0" operation="${operation}" crm-debug-origin="bench" crm_feature_set="3.16.1" transition-key="${key}" transition-magic="0:0;${key}" exit-reason="" call-id="2" rc-code="0" op-status="0" interval="0" last-rc-change="1" exec-time="0" queue-time="0" op-digest="${digest}"/></lrm_resource>`;
        })
        .join('');
      return `<node_state id="${node}" uname="${node}" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="${node}"><instance_attributes id="status-${node}">${scores}</instance_attributes></transient_attributes><lrm id="${node}"><lrm_resources>${history}</lrm_resources></lrm></node_state>`;
    })
    .join('');
  return `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes>${nodeXml}</nodes><resources>${cloneXml}</resources><constraints/></configuration><status>${status}</status></cib>`;
}

/** Move constraints (`crm_resource --move --promoted` to the next node) for every clone. */
export function withMoves(cibXml: string, size: SyntheticSize): string {
  const moves = Array.from({ length: size.clones }, (_, index) => {
    const target = nodeName((index + 1) % size.nodes);
    return `<rsc_location id="cli-prefer-db${index}-ha" rsc="db${index}-ha" role="Promoted" node="${target}" score="INFINITY"/>`;
  }).join('');
  return cibXml.replace('<constraints/>', `<constraints>${moves}</constraints>`);
}
