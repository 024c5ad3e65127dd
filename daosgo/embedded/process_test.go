package embedded

// Tests that need more than one process. The test binary re-executes itself
// with DAOSGO_TEST_HELPER set to play the other process.

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

var bg = context.Background()

func TestMain(m *testing.M) {
	if h := os.Getenv("DAOSGO_TEST_HELPER"); h != "" {
		if err := runHelper(h, os.Args[len(os.Args)-1]); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helper starts the test binary as another process running helper name in
// root; it returns once the helper printed "ready".
func helper(t *testing.T, name, root string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	return helperEnv(t, name, root)
}

// helperEnv is helper with extra environment variables.
func helperEnv(t *testing.T, name, root string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", root)
	cmd.Env = append(append(os.Environ(), "DAOSGO_TEST_HELPER="+name), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	assert.NilError(t, err)
	assert.NilError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	assert.NilError(t, err, "helper %s did not start", name)
	assert.Equal(t, strings.TrimSpace(line), "ready")
	return cmd, r
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	assert.NilError(t, cmd.Process.Kill()) // SIGKILL: no cleanup runs
	cmd.Wait()
}

const crashDkeys = 200

func runHelper(name, root string) error {
	switch name {
	case "upgrade", "upgrade-worker":
		// Starts the upgrade and runs it, or, as a worker, runs the one
		// a Resumer restarted (waiting for the hand-over, as the CLI's
		// worker does). DAOSGO_FAULT_KILL_AT kills it where asked.
		e, err := Open(Options{Root: root, Layout: upgrade.Default()})
		if err != nil {
			return err
		}
		e.upgradeBatch = testBatch
		fmt.Println("ready")
		if name == "upgrade" {
			if _, err := upgrade.Start(bg, e, "pool", upgrade.Default()); err != nil {
				return err
			}
			return e.RunUpgrade(bg, "pool", nil)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			err := e.RunUpgrade(bg, "pool", nil)
			if !errors.Is(err, daosgo.ErrInProgress) || time.Now().After(deadline) {
				return err
			}
		}
	}
	e, err := Open(Options{Root: root})
	if err != nil {
		return err
	}
	p, err := e.Connect(bg, "pool", daosgo.PoolRW)
	if err != nil {
		return err
	}
	switch name {
	case "hold-ex":
		if _, err := p.OpenContainer(bg, "cont", daosgo.ContEX); err != nil {
			return err
		}
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "write-one":
		c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
		if err != nil {
			return err
		}
		o, err := c.OpenObject(bg, testOID, daosgo.ObjRW)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		if err := daosgo.PutSingle(bg, o, []byte("from"), "child", []byte("hello parent")); err != nil {
			return err
		}
		v, err := daosgo.GetSingle(bg, o, []byte("from"), "parent")
		if err != nil {
			return err
		}
		fmt.Println(string(v))
	case "churn":
		// Rewrites dkeys forever; each update is 10 akeys and an array
		// overwrite that splits extents, all with the same generation.
		c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		for gen := 1; ; gen++ {
			for d := 0; d < crashDkeys; d++ {
				o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, uint64(d%7), daosgo.OTMultiHashed, daosgo.OCS1), daosgo.ObjRW)
				if err := o.Update(bg, []byte(fmt.Sprint("d", d)), 0, churnIODs(gen)); err != nil {
					return err
				}
				if d%50 == 0 { // punches interleave with writes
					o.PunchDkeys(bg, 0, [][]byte{[]byte(fmt.Sprint("d", d+1))})
				}
			}
		}
	}
	return nil
}

var testOID = daosgo.GenerateOID(0, 42, daosgo.OTMultiHashed, daosgo.OCS1)

func churnIODs(gen int) []daosgo.IOD {
	v := []byte(strconv.Itoa(gen))
	iods := make([]daosgo.IOD, 0, 11)
	for a := 0; a < 10; a++ {
		iods = append(iods, daosgo.SingleIOD(fmt.Sprint("a", a), append(v, strings.Repeat("x", a*gen%37)...)))
	}
	arr := []byte(strings.Repeat(string(v)+"|", 20))
	return append(iods, daosgo.ArrayIOD([]byte("arr"), uint64(gen%13), arr))
}

// setup makes a pool "pool" with a container "cont" under a fresh root.
// rf0 makes a container without redundancy, for tests of the engine's
// mechanics that open objects of fixed single-replica classes (OC_S1,
// OC_SX), which containers with a redundancy factor refuse as DAOS does.
var rf0 = daosgo.Props{daosgo.NumProp(daosgo.PropContRedunFac, 0)}

func setup(t *testing.T) (string, *Engine, daosgo.Pool) {
	t.Helper()
	root := t.TempDir()
	e, err := Open(Options{Root: root})
	assert.NilError(t, err)
	t.Cleanup(func() { e.Close() })
	_, err = e.CreatePool(bg, daosgo.PoolCreateReq{Label: "pool", Size: 1 << 30})
	assert.NilError(t, err)
	p, err := e.Connect(bg, "pool", daosgo.PoolRW)
	assert.NilError(t, err)
	_, err = p.CreateContainer(bg, "cont", rf0)
	assert.NilError(t, err)
	return root, e, p
}

func TestSecondProcessSeesCommittedWrites(t *testing.T) {
	root, _, p := setup(t)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, err := c.OpenObject(bg, testOID, daosgo.ObjRW)
	assert.NilError(t, err)
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("from"), "parent", []byte("hello child")))
	cmd, r := helper(t, "write-one", root)
	rest, _ := io.ReadAll(r)
	assert.NilError(t, cmd.Wait())
	assert.Equal(t, strings.TrimSpace(string(rest)), "hello child")
	v, err := daosgo.GetSingle(bg, o, []byte("from"), "child")
	assert.NilError(t, err)
	assert.Equal(t, string(v), "hello parent")
}

func TestDeadProcessHandlesArePruned(t *testing.T) {
	root, _, p := setup(t)
	cmd, _ := helper(t, "hold-ex", root)
	_, err := p.OpenContainer(bg, "cont", daosgo.ContRO)
	assert.Assert(t, err != nil && strings.Contains(err.Error(), "exclusively"), "got %v", err)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	isBusy := p.DestroyContainer(bg, "cont", false)
	assert.ErrorIs(t, isBusy, daosgo.ErrBusy)

	kill9(t, cmd)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContEX)
	assert.NilError(t, err, "the handle of a killed process must not block an exclusive open")
	assert.NilError(t, c.Close(bg))
}

// TestKillMidOperationIsAtomic kills a writer at random moments and checks
// that every update it made is whole: all eleven values of a dkey carry the
// same generation, and the pool's space accounting matches what is stored.
func TestKillMidOperationIsAtomic(t *testing.T) {
	root, e, p := setup(t)
	for round := 0; round < 6; round++ {
		cmd, _ := helper(t, "churn", root)
		time.Sleep(time.Duration(30+round*37) * time.Millisecond)
		kill9(t, cmd)

		c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
		assert.NilError(t, err, "round %d", round)
		checked := 0
		for d := 0; d < crashDkeys; d++ {
			o, err := c.OpenObject(bg, daosgo.GenerateOID(0, uint64(d%7), daosgo.OTMultiHashed, daosgo.OCS1), daosgo.ObjRO)
			assert.NilError(t, err)
			dkey := []byte(fmt.Sprint("d", d))
			first, err := daosgo.GetSingle(bg, o, dkey, "a0")
			if err != nil {
				assert.ErrorIs(t, err, daosgo.ErrNonexist)
				assert.NilError(t, o.Close())
				continue // never written, or punched
			}
			gen, err := strconv.Atoi(string(first))
			assert.NilError(t, err)
			want := churnIODs(gen)
			for _, iod := range want[:10] {
				v, err := daosgo.GetSingle(bg, o, dkey, string(iod.Akey))
				assert.NilError(t, err, "round %d dkey %d akey %s: torn update", round, d, iod.Akey)
				assert.Equal(t, string(v), string(iod.Data), "round %d dkey %d: torn update", round, d)
			}
			arr := want[10]
			got := make([]byte, len(arr.Data))
			rd := daosgo.ArrayIOD(arr.Akey, arr.Recxs[0].Idx, got)
			assert.NilError(t, o.Fetch(bg, dkey, 0, []daosgo.IOD{rd}))
			assert.Equal(t, string(got), string(arr.Data), "round %d dkey %d: torn array write", round, d)
			assert.NilError(t, o.Close())
			checked++
		}
		assert.Assert(t, checked > 0 || round == 0, "round %d: the writer wrote nothing", round)
		assert.NilError(t, c.Close(bg))
		assertSpaceConsistent(t, e)
	}
}

// assertSpaceConsistent checks the pool's used-bytes counter against the
// bytes actually stored.
func assertSpaceConsistent(t *testing.T, e *Engine) {
	t.Helper()
	_, s, err := e.resolve(bg, "pool")
	assert.NilError(t, err)
	var used, stored int64
	var drift int
	err = s.read(bg, func(tx *tx) error {
		if err := tx.row(`SELECT (SELECT SUM(used) FROM space), (SELECT COALESCE(SUM(length(dkey) + length(akey) + length(val)), 0) FROM recs)`,
			nil, &used, &stored); err != nil {
			return err
		}
		// Per target too: each target's counter matches its records.
		return tx.row(`SELECT COUNT(*) FROM space s WHERE s.used != (SELECT COALESCE(SUM(length(dkey) + length(akey) + length(val)), 0) FROM recs r WHERE r.tgt = s.tgt)`,
			nil, &drift)
	})
	assert.NilError(t, err)
	assert.Equal(t, used, stored, "space accounting drifted from what is stored")
	assert.Equal(t, drift, 0, "a target's space counter drifted from its records")
}

// TestLockWaitIsBounded holds the pool's write lock from another
// connection, as a stuck process would, and checks that a write gives up
// after the configured wait with an error that says so.
func TestLockWaitIsBounded(t *testing.T) {
	root, _, _ := setup(t)
	e, err := Open(Options{Root: root, LockWait: 300 * time.Millisecond})
	assert.NilError(t, err)
	defer e.Close()
	p, err := e.Connect(bg, "pool", daosgo.PoolRW)
	assert.NilError(t, err)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, err := c.OpenObject(bg, testOID, daosgo.ObjRW)
	assert.NilError(t, err)

	holder, err := sql.Open("sqlite3", "file:"+e.poolPath(p.UUID())+"?_busy_timeout=1000")
	assert.NilError(t, err)
	defer holder.Close()
	conn, err := holder.Conn(bg)
	assert.NilError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(bg, "BEGIN IMMEDIATE")
	assert.NilError(t, err)

	start := time.Now()
	err = daosgo.PutSingle(bg, o, []byte("d"), "a", []byte("v"))
	took := time.Since(start)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "gave up after")
	assert.Assert(t, took >= 250*time.Millisecond && took < 5*time.Second, "waited %s", took)

	// Reads do not wait for the writer.
	_, err = p.Query(bg)
	assert.NilError(t, err)

	_, err = conn.ExecContext(bg, "ROLLBACK")
	assert.NilError(t, err)
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("d"), "a", []byte("v")))
}

// versionedLayout knows versions up to max.
type versionedLayout struct {
	BaseLayout
	max uint32
}

func (l versionedLayout) MaxVersion() uint32 { return l.max }

func TestNewerPoolIsRefused(t *testing.T) {
	root := t.TempDir()
	newer, err := Open(Options{Root: root, Layout: versionedLayout{max: 3}})
	assert.NilError(t, err)
	defer newer.Close()
	_, err = newer.CreatePool(bg, daosgo.PoolCreateReq{Label: "v3", Size: 1 << 20})
	assert.NilError(t, err)
	_, err = newer.CreatePool(bg, daosgo.PoolCreateReq{Label: "v0", Size: 1 << 20, LayoutVersion: daosgo.AtLayout(0)})
	assert.NilError(t, err)

	older, err := Open(Options{Root: root})
	assert.NilError(t, err)
	defer older.Close()
	_, err = older.Connect(bg, "v3", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "layout version 3")
	assert.ErrorContains(t, err, "at most version 0")
	p, err := older.Connect(bg, "v0", daosgo.PoolRW)
	assert.NilError(t, err, "a pool at a version the software knows opens")
	info, err := p.Query(bg)
	assert.NilError(t, err)
	assert.Equal(t, info.LayoutVersion, uint32(0))
}

func TestUpgradingPoolRefusesNewOpens(t *testing.T) {
	_, e, p := setup(t)
	_, s, err := e.resolve(bg, "pool")
	assert.NilError(t, err)
	// An upgrade that a live process (this one) is running.
	assert.NilError(t, s.write(bg, func(t *tx) error {
		if err := setMeta(t, "upgrade_owner", e.owner); err != nil {
			return err
		}
		return putPoolProps(t, daosgo.Props{daosgo.NumProp(daosgo.PropPoolUpgradeStatus, uint64(daosgo.UpgradeInProgress))})
	}))
	_, err = e.Connect(bg, "pool", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "being upgraded")
	info, err := p.Query(bg)
	assert.NilError(t, err)
	assert.Equal(t, info.Status, "Upgrading")
}

func TestRebuildStateIsReported(t *testing.T) {
	_, e, p := setup(t)
	assert.NilError(t, e.SetRebuildState(bg, "pool", daosgo.RebuildBusy))
	info, err := p.Query(bg)
	assert.NilError(t, err)
	assert.Assert(t, info.Rebuild.Busy())
	err = e.SetRebuildState(bg, "pool", "sideways")
	assert.ErrorIs(t, err, daosgo.ErrInval)
}
