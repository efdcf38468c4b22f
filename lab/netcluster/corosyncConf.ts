/**
 * corosync.conf for a cluster whose nodes are network namespaces on one machine: knet over the namespaces'
 * own addresses, no crypto (nothing leaves the machine), votequorum, logging to a file only. Pure.
 */
export interface CorosyncNode {
  readonly name: string;
  readonly id: number;
  readonly address: string;
}

export function corosyncConf(clusterName: string, nodes: readonly CorosyncNode[], logFile: string): string {
  const nodelist = nodes
    .map((node) => `  node {\n    name: ${node.name}\n    nodeid: ${node.id}\n    ring0_addr: ${node.address}\n  }`)
    .join('\n');
  return `totem {
  version: 2
  cluster_name: ${clusterName}
  transport: knet
  crypto_cipher: none
  crypto_hash: none
  token: 3000
}
quorum {
  provider: corosync_votequorum
}
logging {
  to_logfile: yes
  logfile: ${logFile}
  to_syslog: no
  to_stderr: no
  timestamp: on
}
nodelist {
${nodelist}
}
`;
}
