package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func TestPoolUpgradeWait(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M", "--layout-version", "1")
	ok(t, dir, "container", "create", "tank", "c1")
	out := ok(t, dir, "pool", "get-prop", "tank", "global_version", "upgrade_status")
	assert.Equal(t, out, "Pool tank properties:\nPool version: 1\nPool status: Online\n")
	out = ok(t, dir, "container", "get-prop", "tank", "c1", "global_version")
	assert.Assert(t, strings.Contains(out, "Global Version: 1"), out)

	out = ok(t, dir, "pool", "upgrade", "tank", "--wait")
	assert.Assert(t, strings.HasPrefix(out, "Upgrading tank from version 1 to version 4\n"), out)
	assert.Assert(t, strings.Contains(out, "step 7/7 done: rewrite every record with a checksum"), out)
	assert.Assert(t, strings.Contains(out, "Pool tank upgraded to layout version 4"), out)

	out = ok(t, dir, "pool", "get-prop", "tank", "global_version", "upgrade_status", "ec_pda", "data_thresh", "obj_version")
	assert.Equal(t, out, "Pool tank properties:\nPool version: 4\nPool status: Online\nEC performance domain affinity level: 1\n"+
		"Data bdev threshold size: 4096\nPool object version: 2\n")
	out = ok(t, dir, "container", "get-prop", "tank", "c1", "global_version", "ec_pda")
	assert.Assert(t, strings.Contains(out, "Global Version: 4"), out)

	out = ok(t, dir, "pool", "upgrade", "tank")
	assert.Assert(t, strings.Contains(out, "nothing to do"), out)

	var q map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &q)
	assert.Equal(t, q["layout_version"], float64(4))
	up := q["upgrade"].(map[string]any)
	assert.Equal(t, up["steps_done"], float64(7))
	assert.Equal(t, up["status"], "Online")
}

// TestLayoutVersionFlag: --layout-version names DAOS's versions, 0 (DAOS
// 2.0) included; without it a pool is at the newest; anything else is a
// malformed command line, refused before a pool is made.
func TestLayoutVersionFlag(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args    []string
		code    int
		version string // Pool version shown, for the pools made
		errWant string
	}{
		{[]string{"--layout-version", "0"}, 0, "0", ""},
		{[]string{"--layout-version", "2"}, 0, "2", ""},
		{[]string{"--layout-version=4"}, 0, "4", ""},
		{nil, 0, "4", ""},
		{[]string{"--layout-version", "5"}, 2, "", "5 is not a layout version this software knows: it knows versions 0 (DAOS 2.0) to 4 (DAOS 2.8)"},
		{[]string{"--layout-version=-1"}, 2, "", `"-1" is not a layout version`},
		{[]string{"--layout-version", "-1"}, 2, "", "--layout-version"},
		{[]string{"--layout-version", "two"}, 2, "", `"two" is not a layout version: this software knows versions 0 (DAOS 2.0) to 4 (DAOS 2.8)`},
		{[]string{"--layout-version", "4294967296"}, 2, "", "not a layout version"},
	}
	for i, tc := range tests {
		label := fmt.Sprint("p", i)
		t.Run(strings.Join(append([]string{label}, tc.args...), " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, dir, append([]string{"pool", "create", label, "--size", "16M"}, tc.args...)...)
			assert.Equal(t, code, tc.code, errOut)
			if tc.code != 0 {
				assert.Assert(t, strings.Contains(errOut, tc.errWant), errOut)
				_, _, code := runCLI(t, dir, "pool", "query", label)
				assert.Equal(t, code, 1, "a refused create made pool %s", label)
				return
			}
			out := ok(t, dir, "pool", "get-prop", label, "global_version")
			assert.Equal(t, out, "Pool "+label+" properties:\nPool version: "+tc.version+"\n")
		})
	}
}

func TestPoolUpgradeRefusals(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M", "--layout-version", "1")
	ok(t, dir, "pool", "set-rebuild", "tank", "busy")
	_, errOut, code := runCLI(t, dir, "pool", "upgrade", "tank", "--wait")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "retry the upgrade when the rebuild is done: DER_BUSY"), errOut)
	out := ok(t, dir, "pool", "get-prop", "tank", "upgrade_status")
	assert.Assert(t, strings.Contains(out, "Pool status: Online"), out)

	_, errOut, code = runCLI(t, dir, "pool", "upgrade", "nosuch")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NONEXIST"), errOut)
}

// TestPoolUpgradeInBackground runs the real binary: 'pool upgrade' returns
// at once and a detached worker finishes the upgrade.
func TestPoolUpgradeInBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "daosgo")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	assert.NilError(t, build.Run())
	dir := t.TempDir()
	daosgo := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--engine", "embedded:" + dir}, args...)...).CombinedOutput()
		assert.NilError(t, err, "daosgo %v: %s", args, out)
		return string(out)
	}
	daosgo("pool", "create", "tank", "--size", "64M", "--layout-version", "2")
	out := daosgo("pool", "upgrade", "tank")
	assert.Assert(t, strings.Contains(out, "Upgrading tank from version 2 to version 4"), out)
	assert.Assert(t, strings.Contains(out, "runs in the background"), out)
	deadline := time.Now().Add(20 * time.Second)
	for {
		out = daosgo("pool", "get-prop", "tank", "global_version", "upgrade_status")
		if strings.Contains(out, "Pool version: 4\nPool status: Online") {
			break
		}
		assert.Assert(t, time.Now().Before(deadline), "the background upgrade did not finish: %s", out)
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUpgradeMetrics(t *testing.T) {
	var latest atomic.Pointer[daosgo.UpgradeProgress]
	latest.Store(&daosgo.UpgradeProgress{Status: daosgo.UpgradeInProgress, Version: 2, To: 4, StepsDone: 3, StepsTotal: 7, Objects: 10, ObjectsTotal: 40})
	stop, addr, err := serveMetrics("127.0.0.1:0", "tank", &latest)
	assert.NilError(t, err)
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	assert.NilError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"# TYPE daosgo_pool_upgrade_steps_done gauge\n",
		`daosgo_pool_upgrade_steps_done{pool="tank"} 3`,
		`daosgo_pool_upgrade_steps_total{pool="tank"} 7`,
		`daosgo_pool_upgrade_objects_migrated{pool="tank"} 10`,
		`daosgo_pool_upgrade_status{pool="tank"} 1`,
		`daosgo_pool_layout_version{pool="tank"} 2`,
	} {
		assert.Assert(t, strings.Contains(string(body), want), "missing %q in:\n%s", want, body)
	}
	_, _, err = serveMetrics("256.0.0.1:99999", "tank", &latest)
	assert.ErrorContains(t, err, "--metrics-addr")
}

func TestUpgradeJSON(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M", "--layout-version", "3")
	var res map[string]any
	assert.NilError(t, json.Unmarshal([]byte(ok(t, dir, "--json", "pool", "upgrade", "tank", "--wait")), &res))
	assert.Equal(t, res["version"], float64(4))
	assert.Equal(t, res["status"], "Online")
}
