package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
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
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

// The test binary is daosgo too: the workers that commands start with
// os.Executable, and the commands tests run as real processes, come here.
func TestMain(m *testing.M) {
	if os.Getenv("DAOSGO_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Setenv("DAOSGO_TEST_AS_CLI", "1")
	os.Exit(m.Run())
}

// daosgoProc runs daosgo as a process of its own on the engine in dir,
// with extra environment variables, and returns its output and error.
func daosgoProc(dir string, env []string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(os.Args[0], append([]string{"--engine", "embedded:" + dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

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

// TestBadMetricsAddressChangesNothing: an address that cannot be served is
// refused before the upgrade starts, which would revoke every handle and
// close the pool.
func TestBadMetricsAddressChangesNothing(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M", "--layout-version", "1")
	e, err := embedded.Open(embedded.Options{Root: dir, Layout: upgrade.Default()})
	assert.NilError(t, err)
	defer e.Close()
	p, err := e.Connect(context.Background(), "tank", daosgo.PoolRO)
	assert.NilError(t, err)
	for _, args := range [][]string{
		{"pool", "upgrade", "tank", "--wait", "--metrics-addr", "999.1.1.1:99999"},
		{"pool", "upgrade", "tank", "--metrics-addr", "999.1.1.1:99999"},
	} {
		_, errOut, code := runCLI(t, dir, args...)
		assert.Equal(t, code, 1)
		assert.Assert(t, strings.Contains(errOut, "--metrics-addr 999.1.1.1:99999"), errOut)
		out := ok(t, dir, "pool", "get-prop", "tank", "global_version", "upgrade_status")
		assert.Equal(t, out, "Pool tank properties:\nPool version: 1\nPool status: Online\n")
		_, err = p.Query(context.Background())
		assert.NilError(t, err, "the refused upgrade revoked a handle")
	}
}

// holdUpgrade starts the pool's upgrade in this process and runs it until
// its first data batch, where it waits until the test ends: the upgrade
// is in progress, run by a live process, with something to measure.
func holdUpgrade(t *testing.T, dir, pool string) {
	t.Helper()
	e, err := embedded.Open(embedded.Options{Root: dir, Layout: upgrade.Default()})
	assert.NilError(t, err)
	ctx := context.Background()
	_, err = upgrade.Start(ctx, e, pool, upgrade.Default())
	assert.NilError(t, err)
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		once := false
		done <- e.RunUpgrade(ctx, pool, func(p daosgo.UpgradeProgress) {
			if p.ObjectsDone > 0 && !once {
				once = true
				time.Sleep(20 * time.Millisecond) // a measurable rate
				close(held)
				<-release
			}
		})
	}()
	<-held
	t.Cleanup(func() {
		close(release)
		assert.Check(t, <-done)
		e.Close()
	})
}

// TestProgressWhileUpgrading: get-prop and query show a running upgrade's
// progress, with its rate and the time left, the two parts of query's
// JSON agree, and destroying the pool without --force is refused.
func TestProgressWhileUpgrading(t *testing.T) {
	template, _, _ := killFixture(t)
	dir := copyDir(t, template)
	holdUpgrade(t, dir, "tank")

	out := ok(t, dir, "pool", "get-prop", "tank", "global_version", "upgrade_status")
	assert.Assert(t, strings.HasPrefix(out, "Pool tank properties:\nPool version: 1\nPool status: Upgrading\n"+
		"Upgrade from version 0 to 4: Upgrading, at version 1, step 5 of 9 (re-place the records of multi-group objects (object layout 1))\n"), out)
	assert.Assert(t, strings.Contains(out, "- all data steps: 30 of 240 object migrations, "), out)
	assert.Assert(t, strings.Contains(out, "objects/s"), out)
	assert.Assert(t, strings.Contains(out, ", ETA "), out)

	var q map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &q)
	up := q["upgrade"].(map[string]any)
	assert.Equal(t, q["status"], "Upgrading")
	assert.Equal(t, up["status"], q["status"])
	assert.Equal(t, up["version"], q["layout_version"])
	assert.Assert(t, up["objects_per_second"].(float64) > 0, "%v", up)
	assert.Assert(t, up["eta_seconds"].(float64) > 0, "%v", up)
	assert.Assert(t, up["objects_done"].(float64) < up["objects_planned"].(float64), "%v", up)

	_, errOut, code := runCLI(t, dir, "pool", "destroy", "tank")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "being upgraded"), errOut)
	assert.Assert(t, strings.Contains(errOut, "DER_BUSY"), errOut)
	ok(t, dir, "pool", "get-prop", "tank")
}

func TestDestroyForceDuringUpgrade(t *testing.T) {
	template, _, _ := killFixture(t)
	dir := copyDir(t, template)
	holdUpgrade(t, dir, "tank")
	ok(t, dir, "pool", "destroy", "tank", "--force")
	out := ok(t, dir, "pool", "list")
	assert.Assert(t, strings.Contains(out, "No pools"), out)
}

// TestPoolUpgradeInBackground runs daosgo as processes: 'pool upgrade'
// returns at once and a detached worker finishes the upgrade.
func TestPoolUpgradeInBackground(t *testing.T) {
	dir := t.TempDir()
	daosgo := func(args ...string) string {
		t.Helper()
		out, errOut, err := daosgoProc(dir, nil, args...)
		assert.NilError(t, err, "daosgo %v: %s", args, errOut)
		return out
	}
	daosgo("pool", "create", "tank", "--size", "64M", "--layout-version", "2")
	out := daosgo("pool", "upgrade", "tank")
	assert.Assert(t, strings.Contains(out, "Upgrading tank from version 2 to version 4"), out)
	assert.Assert(t, strings.Contains(out, "runs in the background"), out)
	waitOnline(t, dir, nil, false)
}

// waitOnline polls get-prop (with --json if asked), and nothing else,
// until the pool is at the newest version and Online, and returns what the
// polls printed on stderr.
func waitOnline(t *testing.T, dir string, env []string, asJSON bool) string {
	t.Helper()
	args := []string{"pool", "get-prop", "tank", "global_version", "upgrade_status"}
	if asJSON {
		args = append([]string{"--json"}, args...)
	}
	var notes strings.Builder
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, errOut, err := daosgoProc(dir, env, args...)
		assert.NilError(t, err, "get-prop: %s", errOut)
		notes.WriteString(errOut)
		online := strings.Contains(out, "Pool version: 4\nPool status: Online")
		if asJSON {
			var props []map[string]any
			jsonOf(t, out, &props)
			online = props[0]["value"] == float64(4) && props[1]["value"] == "Online"
		}
		if online {
			return notes.String()
		}
		assert.Assert(t, time.Now().Before(deadline), "the upgrade did not finish: %s", out)
		env = nil // a fault asked for applies to the first poll's worker only
	}
}

// killFixture makes, in a template directory, a pool "tank" as DAOS 2.0
// would have (version 0) with two containers of single-group and
// multi-group objects, single values and arrays, and returns the
// directory, the objects per container and a digest of every object.
func killFixture(t *testing.T) (string, map[string][]daosgo.OID, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M", "--layout-version", "0")
	e, err := embedded.Open(embedded.Options{Root: dir, Layout: upgrade.Default()})
	assert.NilError(t, err)
	defer e.Close()
	ctx := context.Background()
	p, err := e.Connect(ctx, "tank", daosgo.PoolRW)
	assert.NilError(t, err)
	objs := map[string][]daosgo.OID{}
	for ci := 0; ci < 2; ci++ {
		label := fmt.Sprint("c", ci)
		_, err := p.CreateContainer(ctx, label, nil)
		assert.NilError(t, err)
		c, err := p.OpenContainer(ctx, label, daosgo.ContRW)
		assert.NilError(t, err)
		for i := 0; i < 60; i++ {
			class := daosgo.OCS1
			if i%2 == 1 {
				class = daosgo.OCSX // moved by both placement changes
			}
			ot := daosgo.OTMultiHashed
			if i%3 == 2 {
				ot = daosgo.OTArrayByte
			}
			oid := daosgo.GenerateOID(uint32(ci), uint64(i), ot, class)
			objs[label] = append(objs[label], oid)
			o, err := c.OpenObject(ctx, oid, daosgo.ObjRW)
			assert.NilError(t, err)
			for d := 0; d < 3; d++ {
				if ot == daosgo.OTArrayByte {
					data := []byte(strings.Repeat(fmt.Sprintf("%d/%d/%d;", ci, i, d), 20))
					assert.NilError(t, o.Update(ctx, daosgo.Uint64Key(uint64(d+1)), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), uint64(d*7), data)}))
				} else {
					assert.NilError(t, daosgo.PutSingle(ctx, o, []byte(fmt.Sprint("dkey", d)), "a", []byte(fmt.Sprintf("value %d %d %d", ci, i, d))))
				}
			}
			assert.NilError(t, o.Close())
		}
		assert.NilError(t, c.Close(ctx))
	}
	assert.NilError(t, p.Disconnect(ctx))
	return dir, objs, digests(t, e, objs)
}

// digests reads the objects of pool "tank" back and returns a digest per
// object.
func digests(t *testing.T, e *embedded.Engine, objs map[string][]daosgo.OID) map[string]string {
	t.Helper()
	ctx := context.Background()
	p, err := e.Connect(ctx, "tank", daosgo.PoolRO)
	assert.NilError(t, err)
	defer p.Disconnect(ctx)
	out := map[string]string{}
	for label, oids := range objs {
		c, err := p.OpenContainer(ctx, label, daosgo.ContRO)
		assert.NilError(t, err)
		for _, oid := range oids {
			o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
			assert.NilError(t, err)
			h := sha256.New()
			dkeys, err := o.ListDkeys(ctx, &daosgo.Anchor{}, 100, nil)
			assert.NilError(t, err)
			for _, dk := range dkeys {
				akeys, err := o.ListAkeys(ctx, dk, &daosgo.Anchor{}, 100, nil)
				assert.NilError(t, err)
				for _, ak := range akeys {
					fmt.Fprintf(h, "%x/%x=", dk, ak)
					if oid.Type() == daosgo.OTArrayByte {
						r, err := o.QueryMaxRecx(ctx, dk, ak)
						assert.NilError(t, err)
						buf := make([]byte, r.End())
						assert.NilError(t, o.Fetch(ctx, dk, 0, []daosgo.IOD{daosgo.ArrayIOD(ak, 0, buf)}))
						h.Write(buf)
					} else {
						v, err := daosgo.GetSingle(ctx, o, dk, string(ak))
						assert.NilError(t, err)
						h.Write(v)
					}
				}
			}
			assert.NilError(t, o.Close())
			out[label+"/"+oid.String()] = fmt.Sprintf("%x", h.Sum(nil))
		}
		assert.NilError(t, c.Close(ctx))
	}
	return out
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	ents, err := os.ReadDir(from)
	assert.NilError(t, err)
	for _, de := range ents {
		if de.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(from, de.Name()))
			assert.NilError(t, err)
			assert.NilError(t, os.WriteFile(filepath.Join(to, de.Name()), b, 0o644))
		}
	}
	return to
}

// TestKilledUpgradeFinishesByPollingGetProp is the upgrade nobody has to
// babysit: 'pool upgrade --wait' killed -9 before its first step, at
// every step boundary and in the middle of batches of each data step; then
// only 'pool get-prop' is run, which sees the upgrading process gone,
// restarts the upgrade in the background, saying so, and polls it to
// Online; every object reads back as before. One case also kills the
// restarted worker, which the next poll restarts again.
func TestKilledUpgradeFinishesByPollingGetProp(t *testing.T) {
	template, objs, want := killFixture(t)
	// The plan from version 0 has 9 steps; the data steps (two placement
	// changes, one record format change) each run one batch per container.
	points := []string{"claimed:1", "mid-batch:1", "mid-batch:2", "batch-done:1", "mid-batch:3", "mid-batch:4", "mid-batch:5", "mid-batch:6"}
	for i := 1; i <= 9; i++ {
		points = append(points, fmt.Sprintf("step-done:%d", i))
	}
	tests := []struct {
		kill, killWorker string
		restarts         float64
	}{{kill: "step-done:2", killWorker: "step-done:3", restarts: 2}}
	for _, p := range points {
		tests = append(tests, struct {
			kill, killWorker string
			restarts         float64
		}{kill: p, restarts: 1})
	}
	for i, tc := range tests {
		// Half the cases poll with --json: the note is on stderr either
		// way, and the restart must not depend on the text output's
		// progress lines.
		asJSON := i%2 == 1
		t.Run(fmt.Sprintf("%s+%s/json=%v", tc.kill, tc.killWorker, asJSON), func(t *testing.T) {
			dir := copyDir(t, template)
			_, errOut, err := daosgoProc(dir, []string{"DAOSGO_FAULT_KILL_AT=" + tc.kill}, "pool", "upgrade", "tank", "--wait")
			var exit *exec.ExitError
			assert.Assert(t, errors.As(err, &exit) && exit.ExitCode() == -1, "not killed at %s: %v %s", tc.kill, err, errOut)

			var env []string
			if tc.killWorker != "" {
				env = []string{"DAOSGO_FAULT_KILL_AT=" + tc.killWorker}
			}
			notes := waitOnline(t, dir, env, asJSON)
			assert.Assert(t, strings.Contains(notes, "daosgo: the upgrade of pool tank was interrupted (its process "), notes)
			assert.Assert(t, strings.Contains(notes, "restarted it in the background (pid "), notes)

			var q map[string]any
			jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &q)
			up := q["upgrade"].(map[string]any)
			assert.Equal(t, up["restarts"], tc.restarts)
			assert.Equal(t, up["steps_done"], float64(9))
			assert.Equal(t, up["objects_done"], up["objects_planned"])
			e, err := embedded.Open(embedded.Options{Root: dir, Layout: upgrade.Default()})
			assert.NilError(t, err)
			defer e.Close()
			assert.DeepEqual(t, digests(t, e, objs), want)
		})
	}
}

// TestQueryAgreesWithItselfAfterKill: after an interrupted upgrade, every
// 'pool query --json' until it ends tells one story: the top says the
// same version and status as its upgrade section.
func TestQueryAgreesWithItselfAfterKill(t *testing.T) {
	template, _, _ := killFixture(t)
	dir := copyDir(t, template)
	_, _, err := daosgoProc(dir, []string{"DAOSGO_FAULT_KILL_AT=step-done:3"}, "pool", "upgrade", "tank", "--wait")
	assert.Assert(t, err != nil)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, errOut, err := daosgoProc(dir, nil, "--json", "pool", "query", "tank")
		assert.NilError(t, err, errOut)
		var q map[string]any
		jsonOf(t, out, &q)
		up := q["upgrade"].(map[string]any)
		assert.Equal(t, q["layout_version"], up["version"], out)
		assert.Equal(t, q["status"], up["status"], out)
		if q["status"] == "Online" {
			assert.Equal(t, q["layout_version"], float64(4))
			return
		}
		assert.Assert(t, time.Now().Before(deadline), "the upgrade did not finish: %s", out)
	}
}

func TestUpgradeMetrics(t *testing.T) {
	var latest atomic.Pointer[daosgo.UpgradeProgress]
	latest.Store(&daosgo.UpgradeProgress{Status: daosgo.UpgradeInProgress, Version: 2, To: 4, StepsDone: 3, StepsTotal: 7, Objects: 10, ObjectsTotal: 40,
		ObjectsDone: 50, ObjectsPlanned: 150, Rate: 12.5, BytesRate: 4096, ETASeconds: 8, Restarts: 1})
	l, err := listenMetrics("127.0.0.1:0")
	assert.NilError(t, err)
	defer serveMetricsOn(l, "tank", &latest)()
	resp, err := http.Get("http://" + l.Addr().String() + "/metrics")
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
		`daosgo_pool_upgrade_objects_done{pool="tank"} 50`,
		`daosgo_pool_upgrade_objects_planned{pool="tank"} 150`,
		`daosgo_pool_upgrade_objects_per_second{pool="tank"} 12.5`,
		`daosgo_pool_upgrade_bytes_per_second{pool="tank"} 4096`,
		`daosgo_pool_upgrade_eta_seconds{pool="tank"} 8`,
		`daosgo_pool_upgrade_restarts{pool="tank"} 1`,
	} {
		assert.Assert(t, strings.Contains(string(body), want), "missing %q in:\n%s", want, body)
	}
	_, err = listenMetrics("256.0.0.1:99999")
	assert.ErrorContains(t, err, "--metrics-addr")
}

func TestRateAndETAText(t *testing.T) {
	tests := []struct {
		p    daosgo.UpgradeProgress
		want string
	}{
		{daosgo.UpgradeProgress{}, ""},
		{daosgo.UpgradeProgress{Rate: 1500, BytesRate: 3e6, ObjectsDone: 10, ObjectsPlanned: 10}, "1500 objects/s (3.0 MB/s)"},
		{daosgo.UpgradeProgress{Rate: 1500, BytesRate: 3e6, ObjectsDone: 10, ObjectsPlanned: 20, ETA: 2345 * time.Millisecond}, "1500 objects/s (3.0 MB/s), ETA 2.3s"},
		{daosgo.UpgradeProgress{Rate: 2, ObjectsPlanned: 1000, ETA: 754 * time.Second}, "2 objects/s (0 B/s), ETA 12m34s"},
	}
	for _, tc := range tests {
		assert.Equal(t, rateETA(tc.p), tc.want)
	}
}

func TestUpgradeJSON(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M", "--layout-version", "3")
	var res map[string]any
	assert.NilError(t, json.Unmarshal([]byte(ok(t, dir, "--json", "pool", "upgrade", "tank", "--wait")), &res))
	assert.Equal(t, res["version"], float64(4))
	assert.Equal(t, res["status"], "Online")
}

// finishingBackend is the embedded engine where an upgrade in progress
// ends just as a connection is asked for: what a query meets when the
// upgrade's last batch commits between its reads.
type finishingBackend struct{ *embedded.Engine }

func (b finishingBackend) Connect(ctx context.Context, pool string, flags daosgo.PoolFlags) (daosgo.Pool, error) {
	if err := b.Engine.RunUpgrade(ctx, pool, nil); err != nil {
		return nil, err
	}
	return b.Engine.Connect(ctx, pool, flags)
}

// TestQueryAgreesWhenTheUpgradeEndsMeanwhile: an upgrade that ends while
// 'pool query' runs does not make its answer contradict itself.
func TestQueryAgreesWhenTheUpgradeEndsMeanwhile(t *testing.T) {
	template, _, _ := killFixture(t)
	dir := copyDir(t, template)
	e, err := embedded.Open(embedded.Options{Root: dir, Layout: upgrade.Default()})
	assert.NilError(t, err)
	defer e.Close()
	_, err = upgrade.Start(context.Background(), e, "tank", upgrade.Default())
	assert.NilError(t, err)
	var out strings.Builder
	g := &globals{JSON: true, out: &out, errOut: io.Discard, backend: finishingBackend{e}}
	assert.NilError(t, (&poolQueryCmd{poolArg{Pool: "tank"}}).Run(context.Background(), g))
	var q map[string]any
	jsonOf(t, out.String(), &q)
	up := q["upgrade"].(map[string]any)
	assert.Equal(t, q["status"], "Online")
	assert.Equal(t, up["status"], "Online", out.String())
	assert.Equal(t, up["version"], q["layout_version"])
}
