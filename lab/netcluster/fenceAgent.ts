/**
 * fence_promigrate_netns: the fence device of the namespace cluster — a STAND-IN FOR A POWER SWITCH, the one
 * part of the cluster tests that cannot exist on one machine. It is a real stonith-class agent, run by the
 * real pacemaker-fenced as any RHCS-style fence agent (fence-agents' API: options as key=value lines on
 * stdin or -o/-n on the command line; actions off, reboot, on, status, monitor, list, metadata,
 * validate-all; status exit 0 = on, 2 = off). "Power off" of a node does what a PDU does to a machine:
 * its link goes down and every process of its network namespace is killed at once (kill -9), except the
 * harness's holder, which keeps the node's private mounts for the next boot. "On" needs the host's
 * /run/netns, which a node's private /run hides: the harness boots a node (NamespaceCluster.bootNode), and
 * the device is configured with pcmk_reboot_action=off.
 *
 * The device's `map` parameter names a file written by the harness after set-up: one line per node,
 * `<node> <network namespace inode> <holder pid>`; a named namespace keeps its inode when its processes die.
 * Installed in each node's view of /usr/sbin (where pacemaker-fenced looks for fence agents) by an overlay
 * mount, so the host's /usr/sbin is never written.
 */
export const fenceAgentName = 'fence_promigrate_netns';

export function fenceMapLine(node: string, inode: number, holder: number): string {
  return `${node} ${inode} ${holder}\n`;
}

const metadata = `<?xml version="1.0" ?>
<resource-agent name="${fenceAgentName}" shortdesc="Fence agent for promigrate's namespace cluster nodes (a stand-in for a power switch)">
<longdesc>Powers a node of promigrate's namespace test cluster off: its link down and every process of its network namespace killed at once. A stand-in for a PDU, for tests on one machine.</longdesc>
<vendor-url>https://clusterlabs.org</vendor-url>
<parameters>
  <parameter name="action" unique="0" required="1"><getopt mixed="-o, --action=[action]"/><content type="string" default="reboot"/><shortdesc lang="en">Fencing action</shortdesc></parameter>
  <parameter name="plug" unique="0" required="0" obsoletes="port"><getopt mixed="-n, --plug=[node]"/><content type="string"/><shortdesc lang="en">The node to act on</shortdesc></parameter>
  <parameter name="port" unique="0" required="0" deprecated="1"><getopt mixed="-n, --plug=[node]"/><content type="string"/><shortdesc lang="en">The node to act on</shortdesc></parameter>
  <parameter name="map" unique="0" required="1"><getopt mixed="--map=[file]"/><content type="string"/><shortdesc lang="en">File of lines: node, network namespace inode, holder pid</shortdesc></parameter>
  <parameter name="nodename" unique="0" required="0"><content type="string"/><shortdesc lang="en">Set by pacemaker-fenced</shortdesc></parameter>
</parameters>
<actions>
  <action name="on" automatic="0"/>
  <action name="off"/>
  <action name="reboot"/>
  <action name="status"/>
  <action name="list"/>
  <action name="monitor"/>
  <action name="metadata"/>
  <action name="validate-all"/>
</actions>
</resource-agent>`;

export const fenceAgentScript = `#!/bin/sh
# ${fenceAgentName}: STAND-IN FOR A POWER SWITCH (see lab/netcluster/fenceAgent.ts in promigrate).
action=reboot plug= map=
set_option() {
  case $1 in
    action | option) action=$2 ;;
    plug | port) plug=$2 ;;
    map) map=$2 ;;
  esac
}
if [ $# -gt 0 ]; then
  while [ $# -gt 0 ]; do
    case $1 in
      -o | --action) action=$2; shift ;;
      -n | --plug | --port) plug=$2; shift ;;
      --map) map=$2; shift ;;
      --action=*) action=\${1#*=} ;;
      --plug=* | --port=*) plug=\${1#*=} ;;
      --map=*) map=\${1#*=} ;;
      *) echo "${fenceAgentName}: unknown option $1" >&2; exit 1 ;;
    esac
    shift
  done
else
  while IFS= read -r line; do
    case $line in
      *=*) set_option "\${line%%=*}" "\${line#*=}" ;;
    esac
  done
fi
if [ "$action" = metadata ]; then
  cat <<'METADATA'
${metadata}
METADATA
  exit 0
fi
if [ -z "$map" ] || [ ! -r "$map" ]; then
  echo "${fenceAgentName}: map file \${map:-(none)} not readable" >&2
  exit 1
fi
case $action in
  monitor | validate-all) exit 0 ;;
  list)
    while read -r node _; do echo "$node,"; done <"$map"
    exit 0 ;;
esac
entry=$(awk -v n="$plug" '$1 == n { print $2, $3 }' "$map")
if [ -z "$plug" ] || [ -z "$entry" ]; then
  echo "${fenceAgentName}: unknown node \${plug:-(none)}" >&2
  exit 1
fi
inode=\${entry% *} holder=\${entry#* }
# The processes of the node: every PID whose network namespace is the node's, the holder excepted.
node_pids() {
  for dir in /proc/[0-9]*; do
    pid=\${dir#/proc/}
    [ "$pid" = "$holder" ] && continue
    if [ "$(readlink "$dir/ns/net" 2>/dev/null)" = "net:[$inode]" ]; then echo "$pid"; fi
  done
  return 0
}
case $action in
  status)
    if [ -n "$(node_pids)" ]; then echo "Status: ON"; exit 0; fi
    echo "Status: OFF"
    exit 2 ;;
  off | reboot)
    nsenter -t "$holder" -n ip link set eth0 down 2>/dev/null
    tries=0
    while pids=$(node_pids); [ -n "$pids" ]; do
      # shellcheck disable=SC2086
      kill -9 $pids 2>/dev/null
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then echo "${fenceAgentName}: \${plug} still has processes: $pids" >&2; exit 1; fi
      sleep 0.05
    done
    exit 0 ;;
  on)
    echo "${fenceAgentName}: a namespace node cannot be powered on from inside the cluster; the harness boots it" >&2
    exit 1 ;;
  *)
    echo "${fenceAgentName}: unsupported action $action" >&2
    exit 1 ;;
esac
`;
