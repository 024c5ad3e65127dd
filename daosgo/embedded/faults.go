package embedded

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Fault injection, in the spirit of DAOS's own (DAOS_FAIL_CHECK and the
// DAOS_FORCE_OBJ_UPGRADE and DAOS_POOL_UPGRADE_CONT_ABORT faults its upgrade
// tests use): DAOSGO_FAULT_KILL_AT=point:n makes a process SIGKILL itself
// the nth time an upgrade it runs reaches point, so that tests can kill a
// real daosgo at exact places and check that the upgrade survives. The
// points are:
//
//	claimed     a process took the upgrade over, before its first step
//	mid-batch   inside a data step's batch transaction, before it commits
//	batch-done  after a batch committed
//	step-done   after a step completed
const faultEnv = "DAOSGO_FAULT_KILL_AT"

var faultPoints = map[string]bool{"claimed": true, "mid-batch": true, "batch-done": true, "step-done": true}

// faultHook returns the hook DAOSGO_FAULT_KILL_AT asks for, nil when it is
// unset; a malformed value is an error, so that a typo does not quietly
// test nothing.
func faultHook() (func(string), error) {
	spec := os.Getenv(faultEnv)
	if spec == "" {
		return nil, nil
	}
	return killAt(spec)
}

// killAt parses "point:n" into a hook that kills this process there.
func killAt(spec string) (func(string), error) {
	point, nth, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nth)
	if !faultPoints[point] || err != nil || n < 1 {
		return nil, fmt.Errorf("%s=%q: want point:n, n >= 1, point one of claimed, mid-batch, batch-done, step-done", faultEnv, spec)
	}
	seen := 0
	return func(p string) {
		if p == point {
			if seen++; seen == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}, nil
}
