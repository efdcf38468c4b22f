/**
 * Pacemaker's command-line tools for running agents where no cluster runs (the agent tests, the executor,
 * the demo), as one directory for HA_SBIN_DIR and PATH: the real crm_attribute, crm_master and crm_resource
 * working on a CIB file (CIB_file), crm_attribute serialised on the file's lock since it rewrites the file
 * in place; and two STAND-INS where the real tool needs a running daemon: attrd_updater --private
 * (pacemaker-attrd; attributes kept in files) and crm_node (the cluster membership). Both are POSIX sh,
 * as cheap to start as the real C tools, so no agent is charged for them; the cluster tests run the real
 * ones.
 */
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const attrdUpdater = `#!/bin/sh
# TEST DOUBLE of Pacemaker's attrd_updater, the one stand-in of the agent tests: no pacemaker-attrd runs
# there. It keeps the options the agents use (promigrate's and PAF's) and the real query output format;
# attributes are files under $PROMIGRATE_ATTRD_DIR/<node>/<name>. A shell script, as cheap to start as the
# real C tool, so that no agent is charged for the double. The real tool is exercised by the cluster tests.
# Like the real tool (2.1.5): a query of an attribute no node has prints nothing and exits 78
# (CRM_EX_CONFIG, "attribute does not exist"); with no daemon to reach ($PROMIGRATE_ATTRD_DIR/.down
# exists) every call exits 102 (CRM_EX_DISCONNECT). A node's attributes are forgotten when it is lost or
# fenced (forgetNodeAttributes below), as pacemaker-attrd forgets them.
name= node=\${OCF_RESKEY_CRM_meta_on_node:-} value= mode=update private= all=
while [ $# -gt 0 ]; do
  case $1 in
    -n | --name) name=$2; shift ;;
    -N | --node) node=$2; shift ;;
    -U | --update) value=$2; mode=update; shift ;;
    -Q | --query) mode=query ;;
    -D | --delete) mode=delete ;;
    -A | --all) all=1 ;;
    -p | --private) private=1 ;;
    -l | --lifetime | -d | --delay) shift ;;
    *) echo "attrd_updater (test double): unsupported argument $1" >&2; exit 64 ;;
  esac
  shift
done
root=\${PROMIGRATE_ATTRD_DIR:-}
if [ -z "$root" ] || [ -z "$name" ] || [ -z "$private" ]; then
  echo 'attrd_updater (test double): needs PROMIGRATE_ATTRD_DIR, --private and --name' >&2
  exit 64
fi
if [ -e "$root/.down" ]; then
  echo 'attrd_updater: Could not connect to attrd: Transport endpoint is not connected' >&2
  exit 102
fi
if [ "$mode" = query ]; then
  found=
  # As the real tool (2.1.5): the node from the environment wins over --all, and a node without the
  # attribute is answered with an empty value.
  if [ -n "$all" ] && [ -z "\${OCF_RESKEY_CRM_meta_on_node:-}" ]; then
    for host in $(ls "$root" 2>/dev/null); do
      if [ -f "$root/$host/$name" ]; then
        found=1
        printf 'name="%s" host="%s" value="%s"\\n' "$name" "$host" "$(cat "$root/$host/$name")"
      fi
    done
  elif [ -n "$node" ] && [ -f "$root/$node/$name" ]; then
    found=1
    printf 'name="%s" host="%s" value="%s"\\n' "$name" "$node" "$(cat "$root/$node/$name")"
  fi
  if [ -z "$found" ]; then
    echo "attrd_updater: Could not query value of $name: attribute does not exist" >&2
    exit 78
  fi
  exit 0
fi
if [ -z "$node" ]; then
  echo 'attrd_updater (test double): no node' >&2
  exit 64
fi
if [ "$mode" = delete ]; then
  rm -f "$root/$node/$name"
else
  mkdir -p "$root/$node"
  printf '%s' "$value" >"$root/$node/$name.$$" && mv "$root/$node/$name.$$" "$root/$node/$name"
fi
`;

const crmNode = `#!/bin/sh
# TEST DOUBLE of Pacemaker's crm_node for the agent tests, where no cluster runs (the real tool then exits
# 102). It answers the two questions agents ask: this node's name (-n, from CRM_meta_on_node as execd sets
# it) and the nodes of this partition (-p, from PROMIGRATE_NODES). The cluster tests use the real one.
case \${1:-} in
  -n | --name)
    if [ -z "\${OCF_RESKEY_CRM_meta_on_node:-}" ]; then
      echo 'crm_node (test double): no OCF_RESKEY_CRM_meta_on_node' >&2
      exit 102
    fi
    echo "$OCF_RESKEY_CRM_meta_on_node" ;;
  -p | --partition) echo "\${PROMIGRATE_NODES:-}" ;;
  *) echo "crm_node (test double): unsupported arguments $*" >&2; exit 64 ;;
esac
`;

const lockedCrmAttribute = '#!/bin/sh\nexec flock "$CIB_file.lock" /usr/sbin/crm_attribute "$@"\n';

/**
 * What pacemaker-attrd does when a node leaves the membership or is fenced: every attribute of that node,
 * private ones included, is gone (production-truths.md). The double's store forgets the same.
 */
export async function forgetNodeAttributes(attrdDir: string, node: string): Promise<void> {
  await rm(join(attrdDir, node), { recursive: true, force: true });
}

/** The double as a daemon that cannot be reached (every call exits 102), or reachable again. */
export async function setAttrdReachable(attrdDir: string, reachable: boolean): Promise<void> {
  if (reachable) await rm(join(attrdDir, '.down'), { force: true });
  else {
    await mkdir(attrdDir, { recursive: true });
    await writeFile(join(attrdDir, '.down'), '');
  }
}

/** Writes the tools into `dir` (created); returns it. */
export async function offlineTools(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of [
    ['attrd_updater', attrdUpdater],
    ['crm_node', crmNode],
    ['crm_attribute', lockedCrmAttribute],
  ] as const) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
  for (const tool of ['crm_master', 'crm_resource']) await symlink(`/usr/sbin/${tool}`, join(dir, tool));
  return dir;
}
