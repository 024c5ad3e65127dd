#!/bin/bash
# Start the DAOS server and agent, format the storage, and wait until the
# system answers; then run the command given (default: keep running).
set -euo pipefail
daos_server start -o /etc/daos/daos_server.yml &
for _ in $(seq 60); do
	dmg -i system query >/dev/null 2>&1 && break
	dmg -i storage format --force >/dev/null 2>&1 || true
	sleep 2
done
dmg -i system query
daos_agent -o /etc/daos/daos_agent.yml &
sleep 2
if [ $# -gt 0 ]; then exec "$@"; fi
wait
