package embedded

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// The embedded engine also answers a max-key query on hashed-key objects,
// which DAOS defines only for integer dkeys, in key order.
func TestQueryMaxOnHashedKeys(t *testing.T) {
	_, _, p := setup(t)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("a"), "x", []byte("1")))
	assert.NilError(t, daosgo.PutSingle(bg, o, []byte("b"), "y", []byte("2")))
	q, err := o.QueryMax(bg)
	assert.NilError(t, err)
	assert.Equal(t, string(q.Dkey), "b")
	assert.Equal(t, string(q.Akey), "y")
	assert.Equal(t, q.Recx, daosgo.Recx{})
	_, err = o.QueryMaxRecx(bg, []byte("b"), []byte("y"))
	assert.ErrorIs(t, err, daosgo.ErrInval)
}
