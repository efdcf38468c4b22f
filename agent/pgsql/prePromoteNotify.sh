# ocf:promigrate:pgsql's pre-promote notify in the shell, without Node (part of the entry point, filled in
# by scripts/build.mjs from agent/pgsql/shellValues.ts). It does what the bundled agent's notify does —
# publish this node's true end of WAL for the election (promotableAgent.ts) — and, when the agent manages
# primary_conninfo, points this standby at the node about to be promoted (conninfo.ts expands templates the
# same way): one psql and one attrd_updater. Anything it cannot do (no such user, a server that does not
# answer, an unexpected answer, attrd unreachable) is left to the bundled agent, which does it or reports why.
promigrate_pre_promote() {
  node=${OCF_RESKEY_CRM_meta_on_node:-}
  resource=${OCF_RESOURCE_INSTANCE:-}
  case $resource in *:[0-9]*) resource=${resource%:*} ;; esac
  [ -n "$node" ] && [ -n "$resource" ] || return 1
  user=${OCF_RESKEY_system_user:-@DEFAULT_system_user@}
  uid=$(id -u -- "$user" 2>/dev/null) && gid=$(id -g -- "$user" 2>/dev/null) || return 1
  [ "$uid" != 0 ] || return 1
  set -- -X -A -t -q -v ON_ERROR_STOP=1
  follow=
  # Exactly one node promoted, not this one: the node to follow.
  for promoted in ${OCF_RESKEY_CRM_meta_notify_promote_uname:-}; do
    [ -z "$follow" ] || return 1
    follow=$promoted
  done
  # Values the bundle would refuse (or that only it expands) are its to handle: printable text, %h present,
  # only %h, %n and %% after a percent sign; node_hosts made of plain host names and addresses.
  template=$(printf '%s' "${OCF_RESKEY_primary_conninfo:-}" | sed 's/%%//g')
  case $template in
    '') ;;
    *[![:print:]]* | *%[!hn]* | *%) return 1 ;;
    *%h*) ;;
    *) return 1 ;;
  esac
  case ${OCF_RESKEY_node_hosts:-} in *[!-[:alnum:]._:=\ ]*) return 1 ;; esac
  if [ -n "${OCF_RESKEY_primary_conninfo:-}" ] && [ -n "$follow" ] && [ "$follow" != "$node" ]; then
    host=$follow
    for pair in ${OCF_RESKEY_node_hosts:-}; do
      case $pair in "$follow="*) host=${pair#*=} ;; esac
    done
    conninfo=$(promigrate_expand "$OCF_RESKEY_primary_conninfo" "$host" "$node")
    literal=$(printf '%s' "$conninfo" | sed "s/'/''/g")
    set -- "$@" -c "ALTER SYSTEM SET primary_conninfo = '$literal'" -c 'SELECT pg_reload_conf()'
  fi
  answer=$(cd / && env -i LC_ALL=C PGHOST="${OCF_RESKEY_pghost:-@DEFAULT_pghost@}" \
    PGPORT="${OCF_RESKEY_pgport:-@DEFAULT_pgport@}" PGUSER="$user" PGDATABASE=postgres PGAPPNAME=promigrate \
    PGCONNECT_TIMEOUT=5 setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
    "${OCF_RESKEY_bindir:-@DEFAULT_bindir@}/psql" "$@" -c '@POSITION_SQL@' 2>/dev/null) || return 1
  position=$(printf '%s\n' "$answer" | tail -n 1)
  case $position in [1-9]*:[0-9A-F]*/[0-9A-F]*) ;; *) return 1 ;; esac
  "${HA_SBIN_DIR:-/usr/sbin}/attrd_updater" --private --node "$node" --name "@POSITION_ATTRIBUTE_PREFIX@$resource" \
    --update "v1 position=$position@$(date +%s%3N)" >/dev/null || return 1
  prefix="pgsql(${OCF_RESOURCE_INSTANCE})[notify]"
  [ -z "${literal:-}" ] || echo "$prefix: following $follow" >&2
  echo "$prefix: published TL ${position%%:*} @ ${position#*:} for the election" >&2
}

# $1 with %h → $2, %n → $3, %% → %.
promigrate_expand() {
  rest=$1 out=
  while :; do
    case $rest in
      *%*)
        out=$out${rest%%\%*}
        rest=${rest#*%}
        case $rest in
          h*) out=$out$2 rest=${rest#h} ;;
          n*) out=$out$3 rest=${rest#n} ;;
          *) out=$out% rest=${rest#%} ;;
        esac
        ;;
      *) printf '%s' "$out$rest"; return ;;
    esac
  done
}

promigrate_pre_promote && exit 0
