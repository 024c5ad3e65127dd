package upgrade

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func TestDefaultRegistry(t *testing.T) {
	r := Default()
	assert.Equal(t, r.MaxVersion(), uint32(4))
	tests := []struct {
		from       uint32
		steps      int
		firstOfVer uint32
	}{
		{0, 9, 1}, // a DAOS 2.0 pool runs every version's steps
		{1, 7, 2},
		{2, 4, 3},
		{3, 2, 4}, // a DAOS 2.6 pool runs only 2.8's
		{4, 0, 0},
	}
	for _, tc := range tests {
		plan, err := r.Plan(tc.from)
		assert.NilError(t, err, "from %d", tc.from)
		assert.Equal(t, plan.From, tc.from)
		assert.Equal(t, plan.To, uint32(4))
		assert.Equal(t, len(plan.Steps), tc.steps, "from %d", tc.from)
		if tc.steps > 0 {
			assert.Equal(t, plan.Steps[0].Version, tc.firstOfVer)
		}
		for i := 1; i < len(plan.Steps); i++ {
			assert.Assert(t, plan.Steps[i].Version >= plan.Steps[i-1].Version, "steps out of version order")
		}
	}
	_, err := r.Plan(5)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "0 (DAOS 2.0) to 4 (DAOS 2.8)")
}

// TestVersionsAreDAOSReleases pins each version to the DAOS release whose
// pool global version it is, and to the properties that release introduced
// (daos_prop.h of each release tag): a version means the same on both
// backends.
func TestVersionsAreDAOSReleases(t *testing.T) {
	r := Default()
	tests := []struct {
		version   uint32
		release   string
		poolProps []daosgo.PropID
		contProps []daosgo.PropID
		format    daosgo.StorageFormat
	}{
		{0, "DAOS 2.0", nil, nil, daosgo.StorageFormat{Placement: 0, Records: 1}},
		{1, "DAOS 2.2", []daosgo.PropID{daosgo.PropPoolRedunFac, daosgo.PropPoolECPDA, daosgo.PropPoolRPPDA},
			[]daosgo.PropID{daosgo.PropContECPDA, daosgo.PropContRPPDA}, daosgo.StorageFormat{Placement: 0, Records: 1}},
		{2, "DAOS 2.4", []daosgo.PropID{daosgo.PropPoolScrubMode, daosgo.PropPoolScrubFreq, daosgo.PropPoolScrubThresh,
			daosgo.PropPoolSvcRedunFac, daosgo.PropPoolPerfDomain, daosgo.PropPoolCheckpointMode, daosgo.PropPoolCheckpointFreq,
			daosgo.PropPoolCheckpointThr, daosgo.PropPoolReintMode},
			[]daosgo.PropID{daosgo.PropContScrubDisabled}, daosgo.StorageFormat{Placement: 1, Records: 1}},
		{3, "DAOS 2.6", []daosgo.PropID{daosgo.PropPoolDataThresh, daosgo.PropPoolSvcOpsEnabled, daosgo.PropPoolSvcOpsAge},
			[]daosgo.PropID{daosgo.PropContPerfDomain}, daosgo.StorageFormat{Placement: 1, Records: 1}},
		{4, "DAOS 2.8", nil, nil, daosgo.StorageFormat{Placement: 2, Records: 2}},
	}
	for _, tc := range tests {
		assert.Equal(t, r.Release(tc.version), tc.release)
		assert.Equal(t, r.Format(tc.version), tc.format, "version %d", tc.version)
		for _, id := range tc.poolProps {
			assert.Assert(t, r.PoolDefaults(tc.version).Has(id), "version %d lacks %s", tc.version, id)
			if tc.version > 0 {
				assert.Assert(t, !r.PoolDefaults(tc.version-1).Has(id), "%s came before version %d", id, tc.version)
			}
		}
		for _, id := range tc.contProps {
			assert.Assert(t, r.ContDefaults(tc.version).Has(id), "version %d lacks container %s", tc.version, id)
			if tc.version > 0 {
				assert.Assert(t, !r.ContDefaults(tc.version-1).Has(id), "container %s came before version %d", id, tc.version)
			}
		}
	}
	// DAOS 2.8 added no property: what 2.6 pools have is what 2.8's have.
	assert.DeepEqual(t, r.PoolDefaults(4), r.PoolDefaults(3))
	assert.DeepEqual(t, r.ContDefaults(4), r.ContDefaults(3))
	assert.Equal(t, r.Release(5), "")
	assert.Equal(t, r.Known(), "0 (DAOS 2.0) to 4 (DAOS 2.8)")
}

func TestUpTo(t *testing.T) {
	old := Default().UpTo(2)
	assert.Equal(t, old.MaxVersion(), uint32(2))
	assert.Equal(t, old.Format(4), daosgo.StorageFormat{Placement: 1, Records: 1})
	assert.Equal(t, Default().UpTo(0).MaxVersion(), uint32(0))
	_, err := old.Plan(3)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
}

func TestNewRejectsBadHistories(t *testing.T) {
	ok := daosgo.UpgradeStep{Version: 1, Name: "p", Kind: daosgo.StepPoolProps, Props: []daosgo.Prop{daosgo.NumProp(daosgo.PropPoolECPDA, 1)}}
	tests := map[string][]Version{
		"gap":           {{Number: 2, Steps: []daosgo.UpgradeStep{ok}}},
		"no steps":      {{Number: 1}},
		"wrong version": {{Number: 1, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "x", Kind: daosgo.StepPoolProps, Props: ok.Props}}}},
		"no props":      {{Number: 1, Steps: []daosgo.UpgradeStep{{Version: 1, Name: "x", Kind: daosgo.StepContProps}}}},
		"no placement":  {{Number: 1, Steps: []daosgo.UpgradeStep{{Version: 1, Name: "x", Kind: daosgo.StepPlacement}}}},
		"no format":     {{Number: 1, Steps: []daosgo.UpgradeStep{{Version: 1, Name: "x", Kind: daosgo.StepRecordFormat}}}},
		"unknown kind":  {{Number: 1, Steps: []daosgo.UpgradeStep{{Version: 1, Name: "x", Kind: "teleport"}}}},
	}
	for name, versions := range tests {
		_, err := New(10, versions...)
		assert.Assert(t, err != nil, "%s: accepted", name)
	}
	_, err := New(10, Version{Number: 1, Steps: []daosgo.UpgradeStep{ok}})
	assert.NilError(t, err)
}
