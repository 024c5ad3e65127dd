package upgrade

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func TestDefaultRegistry(t *testing.T) {
	r := Default()
	assert.Equal(t, r.MaxVersion(), uint32(4))
	plan, err := r.Plan(1)
	assert.NilError(t, err)
	assert.Equal(t, plan.From, uint32(1))
	assert.Equal(t, plan.To, uint32(4))
	assert.Equal(t, len(plan.Steps), 7)
	for i := 1; i < len(plan.Steps); i++ {
		assert.Assert(t, plan.Steps[i].Version >= plan.Steps[i-1].Version, "steps out of version order")
	}
	// A pool at version 3 runs only version 4's steps.
	plan, err = r.Plan(3)
	assert.NilError(t, err)
	assert.Equal(t, len(plan.Steps), 2)
	assert.Equal(t, plan.Steps[0].Version, uint32(4))
	plan, err = r.Plan(4)
	assert.NilError(t, err)
	assert.Equal(t, len(plan.Steps), 0)
	_, err = r.Plan(5)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	_, err = r.Plan(0)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
}

func TestDefaultsFollowVersions(t *testing.T) {
	r := Default()
	assert.Assert(t, !r.PoolDefaults(1).Has(daosgo.PropPoolECPDA))
	assert.Assert(t, r.PoolDefaults(2).Has(daosgo.PropPoolECPDA))
	assert.Assert(t, !r.PoolDefaults(2).Has(daosgo.PropPoolScrubFreq))
	assert.Assert(t, r.PoolDefaults(4).Has(daosgo.PropPoolDataThresh))
	assert.Assert(t, !r.ContDefaults(1).Has(daosgo.PropContECPDA))
	assert.Assert(t, r.ContDefaults(3).Has(daosgo.PropContScrubDisabled))
	assert.Equal(t, r.Format(1), daosgo.StorageFormat{Placement: 1, Records: 1})
	assert.Equal(t, r.Format(2), daosgo.StorageFormat{Placement: 1, Records: 1})
	assert.Equal(t, r.Format(3), daosgo.StorageFormat{Placement: 2, Records: 1})
	assert.Equal(t, r.Format(4), daosgo.StorageFormat{Placement: 2, Records: 2})
	old := r.UpTo(2)
	assert.Equal(t, old.MaxVersion(), uint32(2))
	assert.Equal(t, old.Format(4), daosgo.StorageFormat{Placement: 1, Records: 1})
}

func TestNewRejectsBadHistories(t *testing.T) {
	ok := daosgo.UpgradeStep{Version: 2, Name: "p", Kind: daosgo.StepPoolProps, Props: []daosgo.Prop{daosgo.NumProp(daosgo.PropPoolECPDA, 1)}}
	tests := map[string][]Version{
		"gap":           {{Number: 3, Steps: []daosgo.UpgradeStep{ok}}},
		"no steps":      {{Number: 2}},
		"wrong version": {{Number: 2, Steps: []daosgo.UpgradeStep{{Version: 3, Name: "x", Kind: daosgo.StepPoolProps, Props: ok.Props}}}},
		"no props":      {{Number: 2, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "x", Kind: daosgo.StepContProps}}}},
		"no placement":  {{Number: 2, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "x", Kind: daosgo.StepPlacement}}}},
		"no format":     {{Number: 2, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "x", Kind: daosgo.StepRecordFormat}}}},
		"unknown kind":  {{Number: 2, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "x", Kind: "teleport"}}}},
	}
	for name, versions := range tests {
		_, err := New(10, versions...)
		assert.Assert(t, err != nil, "%s: accepted", name)
	}
	_, err := New(10, Version{Number: 2, Steps: []daosgo.UpgradeStep{ok}})
	assert.NilError(t, err)
}
