package embedded

import (
	"math"
	"os"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// A pool's size is kept as a signed 64-bit integer: sizes that do not fit
// are refused instead of wrapping to a negative quota.
func TestCreatePoolSizeRange(t *testing.T) {
	e, err := Open(Options{Root: t.TempDir()})
	assert.NilError(t, err)
	defer e.Close()
	tests := []struct {
		size uint64
		ok   bool
	}{{0, false}, {1, true}, {math.MaxInt64, true}, {math.MaxInt64 + 1, false}, {math.MaxUint64, false}}
	for i, tc := range tests {
		label := string(rune('a' + i))
		_, err := e.CreatePool(bg, daosgo.PoolCreateReq{Label: label, Size: tc.size})
		if !tc.ok {
			assert.ErrorIs(t, err, daosgo.ErrInval, "size %d", tc.size)
			assert.ErrorContains(t, err, "want 1 to 9223372036854775807 bytes")
			continue
		}
		assert.NilError(t, err, "size %d", tc.size)
		p, err := e.Connect(bg, label, daosgo.PoolRO)
		assert.NilError(t, err)
		info, err := p.Query(bg)
		assert.NilError(t, err)
		assert.Equal(t, info.TotalBytes, tc.size)
		assert.Equal(t, info.FreeBytes, tc.size)
		p.Disconnect(bg)
	}
}

// A damaged pool file is left out of ListPools, listed by PoolFiles with
// the reason, and removed by DestroyPool with force only.
func TestDamagedPoolFile(t *testing.T) {
	root := t.TempDir()
	e, err := Open(Options{Root: root})
	assert.NilError(t, err)
	defer e.Close()
	_, err = e.CreatePool(bg, daosgo.PoolCreateReq{Label: "good", Size: 1 << 20})
	assert.NilError(t, err)
	bad, err := e.CreatePool(bg, daosgo.PoolCreateReq{Label: "bad", Size: 1 << 20})
	assert.NilError(t, err)
	assert.NilError(t, os.Truncate(e.poolPath(bad.UUID), 0))

	pools, err := e.ListPools(bg)
	assert.NilError(t, err)
	assert.Equal(t, len(pools), 1)
	assert.Equal(t, pools[0].Label, "good")
	files, err := e.PoolFiles(bg)
	assert.NilError(t, err)
	assert.Equal(t, len(files), 2)
	assert.Equal(t, files[1].UUID, bad.UUID)
	assert.Assert(t, files[1].Damage != "")
	_, err = e.Connect(bg, "bad", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	assert.ErrorContains(t, err, bad.UUID.String())

	assert.ErrorContains(t, e.DestroyPool(bg, bad.UUID.String(), false), "destroy it with force")
	assert.NilError(t, e.DestroyPool(bg, bad.UUID.String(), true))
	files, err = e.PoolFiles(bg)
	assert.NilError(t, err)
	assert.Equal(t, len(files), 1)
}
