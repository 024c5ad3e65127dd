#!/usr/bin/env bash
# The main job of daosgo, end to end, on the embedded engine. Pools are kept
# in ./demo-home so you can look at them afterwards:
#   DAOSGO_HOME=demo-home bin/daosgo pool list
set -euo pipefail
cd "$(dirname "$0")/.."
DAOSGO=${DAOSGO:-bin/daosgo}
export DAOSGO_HOME=$PWD/demo-home
rm -rf "$DAOSGO_HOME"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ daosgo %s\n' "$*"; "$DAOSGO" "$@"; }
# expect STATUS ARGS... runs a command that must exit with STATUS (the
# checker's are fsck's: 0 clean, 1 repaired, 4 damage left, 8 failed).
expect() {
	local want=$1 got=0
	shift
	printf '$ daosgo %s\n' "$*"
	"$DAOSGO" "$@" || got=$?
	if [ "$got" != "$want" ]; then
		echo "demo: 'daosgo $*' exited $got, want $want" >&2
		exit 1
	fi
	echo "(exit status $got)"
}

step "Create a pool, as dmg pool create does"
run pool create tank --size 1GiB
run pool list

step "The pool's properties: its layout version and status"
run pool get-prop tank

step "Containers: one for POSIX (DFS), one for Python (PyDAOS)"
run container create tank posix1 --type POSIX
run container create tank py1 --type PYTHON
run container list tank
run container query tank posix1
run container get-prop tank posix1 label layout_type layout_version global_version

step "Machine-readable output"
run --json pool query tank

step "Errors name what was asked and the DAOS code, and exit non-zero"
if "$DAOSGO" pool query no-such-pool; then exit 1; fi
if "$DAOSGO" container create tank posix1; then exit 1; fi

step "Pool layout upgrade: a pool made as DAOS 2.0 (layout version 0) would have"
run pool create old --size 256MiB --layout-version 0
run container create old legacy
echo "(a container made in a version-0 pool lacks what later versions add, so asking for ec_pda fails:)"
run container get-prop old legacy global_version ec_pda || true
run pool get-prop old global_version upgrade_status

step "A pool in rebuild is refused, with a clear error"
run pool set-rebuild old busy
if "$DAOSGO" pool upgrade old; then exit 1; fi
run pool set-rebuild old idle

step "Upgrade it: the command returns at once; status is read from the pool's properties"
run pool upgrade old
for _ in $(seq 1 100); do
	"$DAOSGO" pool get-prop old upgrade_status | grep -q "Pool status: Online" &&
		"$DAOSGO" pool get-prop old global_version | grep -q "Pool version: 4" && break
	sleep 0.1
done
run pool get-prop old global_version upgrade_status ec_pda scrub_freq data_thresh
run container get-prop old legacy global_version ec_pda
run pool upgrade old

step "Or follow it to the end with --wait"
run pool create older --size 256MiB --layout-version 2
run pool upgrade older --wait

step "Kill -9 an upgrade: the next command that touches the pool restarts it in the background"
run pool create killed --size 256MiB --layout-version 0
run container create killed data --type POSIX
run container populate killed data --depth 1 --dirs 4 --files 50 --max-size 4KiB
DAOSGO_FAULT_KILL_AT=step-done:5 "$DAOSGO" pool upgrade killed --wait || echo "(killed, as asked, after step 5)"
for _ in $(seq 1 100); do
	"$DAOSGO" pool get-prop killed global_version upgrade_status | grep -q "Pool version: 4" && break
	sleep 0.1
done
run pool get-prop killed global_version upgrade_status

step "Middleware containers: a POSIX (DFS) namespace and a PyDAOS root, as libdfs and PyDAOS lay them out"
run container create tank posix-data --type POSIX
run container create tank py-data --type PYTHON
run container populate tank posix-data --top /project --depth 2 --dirs 3 --files 6 --max-size 32KiB --seed 42
run container populate tank py-data --dicts 4 --keys 32 --seed 42
run fs ls tank posix-data /project -l
run fs ls tank posix-data /project/dir.0001
echo "hello from daosgo" > "$DAOSGO_HOME/hello.txt"
run fs put tank posix-data "$DAOSGO_HOME/hello.txt" /project
run fs cat tank posix-data /project/hello.txt
run fs stat tank posix-data /project/hello.txt
run container query tank posix-data

step "Middleware consistency: break the namespaces as a catastrophic recovery could, then repair them"
expect 0 container checker tank posix-data
run container inject tank posix-data --fault lost-dentry --count 2 --seed 3
run container inject tank posix-data --fault lost-dir-object --seed 4
expect 4 container checker tank posix-data
expect 1 container checker tank posix-data --relink --name demo
run fs ls tank posix-data /lost+found/demo
expect 0 container checker tank posix-data
run container inject tank posix-data --fault corrupt-sb
expect 8 container checker tank posix-data
expect 1 container checker tank posix-data --fix-sb
run container inject tank py-data --fault lost-kv-entry --count 2
expect 1 container checker tank py-data --punch
expect 0 container checker tank py-data

step "Destroy a container"
run container destroy tank py1
run container list tank

printf '\nDemo finished. The pools are in %s.\n' "$DAOSGO_HOME"
