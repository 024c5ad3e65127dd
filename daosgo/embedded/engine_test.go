package embedded

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// An array fetch that does not give the record size learns it and reads
// the records; over a hole it reports size 0.
func TestArrayFetchWithoutRecordSize(t *testing.T) {
	_, _, p := setup(t)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, 9, daosgo.OTArray, daosgo.OCS1), daosgo.ObjRW)
	dk := daosgo.Uint64Key(1)
	assert.NilError(t, o.Update(bg, dk, 0, []daosgo.IOD{{Akey: []byte("r"), Type: daosgo.IODArray, Size: 4,
		Recxs: []daosgo.Recx{{Idx: 3, Nr: 2}}, Data: []byte("AAAABBBB")}}))
	fetch := func(size, idx uint64) daosgo.IOD {
		t.Helper()
		iods := []daosgo.IOD{{Akey: []byte("r"), Type: daosgo.IODArray, Size: size, Recxs: []daosgo.Recx{{Idx: idx, Nr: 1}}, Data: make([]byte, 4)}}
		assert.NilError(t, o.Fetch(bg, dk, 0, iods))
		return iods[0]
	}
	got := fetch(0, 4)
	assert.Equal(t, got.Size, uint64(4))
	assert.Equal(t, string(got.Data), "BBBB")
	assert.Equal(t, fetch(0, 0).Size, uint64(0), "a hole reports size 0")
	assert.Equal(t, fetch(4, 0).Size, uint64(0), "also when the record size is given")
	assert.Equal(t, string(fetch(4, 3).Data), "AAAA")
}

// TestZombieOwnerIsDead: a process that ended but was not reaped yet (a
// zombie, as a killed upgrade worker whose parent exited can stay) owns
// nothing: its handles and its upgrade are free to take.
func TestZombieOwnerIsDead(t *testing.T) {
	cmd := exec.Command("sleep", "0.2")
	assert.NilError(t, cmd.Start())
	owner := ownerOf(cmd.Process.Pid) // taken while it runs
	assert.Assert(t, ownerAlive(owner))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		assert.NilError(t, err)
		if strings.Contains(string(b), ") Z ") {
			break
		}
		assert.Assert(t, time.Now().Before(deadline), "the child did not end")
	}
	assert.Assert(t, !ownerAlive(owner), "a zombie counts as alive")
	assert.NilError(t, cmd.Wait())
	assert.Assert(t, ownerAlive(processOwner()))
}

// A pool file of this format made before write epochs were kept gets
// what keeps them when next connected: its objects answer 0 until they are
// written again, then their epoch.
func TestEpochsAddedToOlderFiles(t *testing.T) {
	root, e, p := setup(t)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("d"), "a", []byte("v")))
	assert.NilError(t, o.Close())
	assert.NilError(t, c.Close(bg))
	path := e.poolPath(p.UUID())
	assert.NilError(t, p.Disconnect(bg))
	assert.NilError(t, e.Close())
	raw, err := sql.Open("sqlite3", "file:"+path)
	assert.NilError(t, err)
	for _, q := range []string{`DROP TABLE punch_epochs`, `ALTER TABLE recs DROP COLUMN epoch`} {
		_, err = raw.Exec(q)
		assert.NilError(t, err, q)
	}
	assert.NilError(t, raw.Close())

	e, err = Open(Options{Root: root})
	assert.NilError(t, err)
	defer e.Close()
	p, err = e.Connect(bg, "pool", daosgo.PoolRW)
	assert.NilError(t, err)
	c, err = p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, _ = c.OpenObject(bg, testOID, daosgo.ObjRW)
	epoch, err := o.QueryMaxEpoch(bg)
	assert.NilError(t, err)
	assert.Equal(t, epoch, uint64(0), "written before epochs were kept")
	assert.Equal(t, getValue(t, o, "d", "a"), "v")
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("d2"), "a", []byte("v")))
	written, err := o.QueryMaxEpoch(bg)
	assert.NilError(t, err)
	assert.Assert(t, written > 0)
	assert.NilError(t, o.PunchDkeys(bg, 0, [][]byte{[]byte("d")}))
	punched, err := o.QueryMaxEpoch(bg)
	assert.NilError(t, err)
	assert.Assert(t, punched > written)
}

func getValue(t *testing.T, o daosgo.Object, dkey, akey string) string {
	t.Helper()
	v, err := daosgo.GetSingle(bg, o, []byte(dkey), akey)
	assert.NilError(t, err)
	return string(v)
}
