package embedded

import (
	"math"
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
