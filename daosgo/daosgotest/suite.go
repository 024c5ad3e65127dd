// Package daosgotest is the conformance suite of daosgo backends, in the
// spirit of testing/fstest: Run checks, against any daosgo.Backend, every
// call of the API with its error paths. The embedded engine runs it in
// `make test`; the libdaos backend runs the same suite against a real DAOS
// pool in `make test-daos`.
package daosgotest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// Harness tells the suite how to get pools from a backend.
type Harness struct {
	Backend daosgo.Backend
	// Pool is the label or UUID of an existing pool the suite may create
	// containers in. Empty when PoolAdmin is set: the suite then creates
	// and destroys its own pools.
	Pool string
	// PoolAdmin says the backend may create, evict and destroy pools
	// (true for the embedded engine; on real DAOS this needs dmg rights).
	PoolAdmin bool
	// PoolSize is the size of pools the suite creates (default 256 MiB).
	PoolSize uint64

	// What a backend reports beyond DAOS's own API, checked only where set
	// (the embedded engine has them all; DAOS has none):
	// CountsHandles: pool queries count open handles and evictions say
	// how many handles they revoked.
	CountsHandles bool
	// TinyPools: pools of a few KiB can be created (to test the quota).
	TinyPools bool
	// OldLayouts: pools can be created at an older layout version.
	OldLayouts bool
	// ReclaimsAtOnce: space freed by a punch or a destroy shows in the
	// next pool query (DAOS reclaims it in the background, later).
	ReclaimsAtOnce bool
	// FaultDomains is how many fault domains the suite's pools span (0:
	// unknown, taken as one); with two or more, containers with a
	// redundancy factor are tested.
	FaultDomains int
}

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, h Harness) {
	if h.PoolSize == 0 {
		h.PoolSize = 256 << 20
	}
	s := &suite{h: h, run: fmt.Sprintf("%x", rand.Uint32())}
	t.Run("Pool", s.testPool)
	if h.PoolAdmin {
		t.Run("Admin", s.testAdmin)
	}
	if h.PoolAdmin && h.TinyPools {
		t.Run("Quota", s.testQuota)
		t.Run("TxQuota", s.testTxQuota)
	}
	t.Run("Container", s.testContainer)
	t.Run("Exclusive", s.testExclusive)
	t.Run("Redundancy", s.testRedundancy)
	t.Run("Snapshots", s.testSnapshots)
	t.Run("SingleValues", s.testSingleValues)
	t.Run("Conditional", s.testConditional)
	t.Run("Arrays", s.testArrays)
	t.Run("Punch", s.testPunch)
	t.Run("ListKeys", s.testListKeys)
	t.Run("QueryKey", s.testQueryKey)
	t.Run("MaxEpoch", s.testMaxEpoch)
	t.Run("KV", s.testKV)
	t.Run("Tx", s.testTx)
	t.Run("OIT", s.testOIT)
	t.Run("Handles", s.testHandles)
	t.Run("Canceled", s.testCanceled)
}

// testCanceled checks that an operation under a cancelled context fails
// with both DER_CANCELED and context.Canceled, and changes nothing.
func (s *suite) testCanceled(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	cctx, cancel := context.WithCancel(ctx())
	cancel()
	err := daosgo.PutSingle(cctx, o, []byte("d"), "a", []byte("v"))
	isErr(t, err, daosgo.ErrCanceled)
	assert.Assert(t, errors.Is(err, context.Canceled), "got %v", err)
	_, err = c.Query(cctx)
	isErr(t, err, daosgo.ErrCanceled)
	_, err = s.h.Backend.Connect(cctx, s.pool(t), daosgo.PoolRO)
	assert.Assert(t, err != nil, "connect with a cancelled context succeeded")
	_, err = daosgo.GetSingle(ctx(), o, []byte("d"), "a")
	isErr(t, err, daosgo.ErrNonexist)
}

type suite struct {
	h Harness
	n int
	// run tells this run's names from those of earlier runs: on a shared
	// DAOS pool a run that failed leaves containers and attributes behind.
	run string
}

func ctx() context.Context { return context.Background() }

// isErr asserts that err carries the DAOS code want.
func isErr(t *testing.T, err error, want daosgo.Errno) {
	t.Helper()
	assert.Assert(t, err != nil, "want %s, got success", want.Name())
	assert.Assert(t, errors.Is(err, want), "want %s, got %v", want.Name(), err)
}

func (s *suite) name(prefix string) string {
	s.n++
	return fmt.Sprintf("%s-%s-%d", prefix, s.run, s.n)
}

// pool returns the label of a pool to work in: the harness's, or a fresh
// one that is destroyed when the test ends.
func (s *suite) pool(t *testing.T) string {
	t.Helper()
	if !s.h.PoolAdmin {
		return s.h.Pool
	}
	label := s.name("pool")
	_, err := s.h.Backend.Admin().CreatePool(ctx(), daosgo.PoolCreateReq{Label: label, Size: s.h.PoolSize})
	assert.NilError(t, err)
	t.Cleanup(func() { _ = s.h.Backend.Admin().DestroyPool(ctx(), label, true) })
	return label
}

func (s *suite) connect(t *testing.T, pool string, flags daosgo.PoolFlags) daosgo.Pool {
	t.Helper()
	p, err := s.h.Backend.Connect(ctx(), pool, flags)
	assert.NilError(t, err)
	t.Cleanup(func() { _ = p.Disconnect(ctx()) })
	return p
}

// cont creates a container and opens it RW; both go away with the test.
func (s *suite) cont(t *testing.T, props ...daosgo.Prop) (daosgo.Pool, daosgo.Container) {
	t.Helper()
	p := s.connect(t, s.pool(t), daosgo.PoolRW)
	label := s.name("cont")
	_, err := p.CreateContainer(ctx(), label, props)
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
	assert.NilError(t, err)
	t.Cleanup(func() {
		_ = c.Close(ctx())
		_ = p.DestroyContainer(ctx(), label, true)
	})
	return p, c
}

// oid returns a fresh object ID of type ot in c, of the class the
// container chooses: a fixed class would fail in a container with a
// redundancy factor, as it does on DAOS.
func (s *suite) oid(t *testing.T, c daosgo.Container, ot daosgo.ObjectType) daosgo.OID {
	t.Helper()
	lo, err := c.AllocOIDs(ctx(), 1)
	assert.NilError(t, err)
	oid, err := c.GenerateOID(ctx(), 0, lo, ot, daosgo.OCUnknown)
	assert.NilError(t, err)
	return oid
}

// obj opens a fresh object of type ot in c.
func (s *suite) obj(t *testing.T, c daosgo.Container, ot daosgo.ObjectType) daosgo.Object {
	t.Helper()
	o, err := c.OpenObject(ctx(), s.oid(t, c, ot), daosgo.ObjRW)
	assert.NilError(t, err)
	t.Cleanup(func() { _ = o.Close() })
	return o
}

func put(t *testing.T, o daosgo.Object, dkey, akey, val string) {
	t.Helper()
	assert.NilError(t, daosgo.PutSingle(ctx(), o, []byte(dkey), akey, []byte(val)))
}

func get(t *testing.T, o daosgo.Object, dkey, akey string) string {
	t.Helper()
	v, err := daosgo.GetSingle(ctx(), o, []byte(dkey), akey)
	assert.NilError(t, err)
	return string(v)
}

// attrsContract checks the attribute calls shared by pools and containers.
// The names are this run's, for a DAOS pool keeps the attributes of every
// run that used it.
func (s *suite) attrsContract(t *testing.T, a daosgo.Attrs) {
	ours := func() []string {
		names, err := a.ListAttrs(ctx())
		assert.NilError(t, err)
		var out []string
		for _, n := range names {
			if strings.HasPrefix(n, s.run+".") {
				out = append(out, strings.TrimPrefix(n, s.run+"."))
			}
		}
		sort.Strings(out)
		return out
	}
	n := func(name string) string { return s.run + "." + name }
	assert.Equal(t, len(ours()), 0)
	assert.NilError(t, a.SetAttr(ctx(), n("b"), []byte("2")))
	assert.NilError(t, a.SetAttr(ctx(), n("a"), []byte("1")))
	assert.NilError(t, a.SetAttr(ctx(), n("a"), []byte("one")))
	v, err := a.GetAttr(ctx(), n("a"))
	assert.NilError(t, err)
	assert.Equal(t, string(v), "one")
	assert.DeepEqual(t, ours(), []string{"a", "b"})
	_, err = a.GetAttr(ctx(), n("nope"))
	isErr(t, err, daosgo.ErrNonexist)
	assert.NilError(t, a.DelAttr(ctx(), n("nope")), "deleting an absent attribute is no error, as in DAOS")
	isErr(t, a.SetAttr(ctx(), "", []byte("x")), daosgo.ErrInval)
	isErr(t, a.SetAttr(ctx(), n("empty"), nil), daosgo.ErrInval) // DAOS stores no empty value
	assert.NilError(t, a.DelAttr(ctx(), n("b")))
	assert.DeepEqual(t, ours(), []string{"a"})
	t.Cleanup(func() { _ = a.DelAttr(ctx(), n("a")) })
}
