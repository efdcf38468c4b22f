#!/bin/sh
# ocf:promigrate:@AGENT@, the file pacemaker-execd runs. Notifications other than pre-promote carry nothing
# for this agent to do (the notify action in agent/promotable/promotableAgent.ts follows the same rule) and
# Pacemaker ignores notify results, so they are answered here without starting Node: a switchover's notify
# rounds sit on its critical path, once per node. The PostgreSQL agent answers the pre-promote notify here
# too, in the common case (agent/pgsql/prePromoteNotify.sh, included below). Everything else runs the
# bundled agent, installed beside this file as $OCF_ROOT/lib/promigrate/@AGENT@.cjs.
if [ "${1:-}" = notify ]; then
  if [ "${OCF_RESKEY_CRM_meta_notify_type:-}" != pre ] || [ "${OCF_RESKEY_CRM_meta_notify_operation:-}" != promote ]; then
    exit 0
  fi
  @PRE_PROMOTE@
fi
exec '@NODE@' "${0%/*}/../../lib/promigrate/@AGENT@.cjs" "$@"
