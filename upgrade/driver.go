package upgrade

import (
	"context"
	"fmt"

	"github.com/daosgo/daosgo/daosgo"
)

// Start begins upgrading pool to the newest version r knows: it reads the
// pool's version, plans the steps and has the backend's pool service
// start them (checking its preconditions, setting the status, revoking
// handles). It returns the plan once the upgrade has started, without
// waiting for it; daosgo.Upgrader.RunUpgrade runs it.
//
// A pool at the newest version fails DER_ALREADY; a pool newer than r
// fails DER_DF_INCOMPT naming both versions. A pool whose upgrade was
// interrupted is resumed.
func Start(ctx context.Context, b daosgo.Backend, pool string, r *Registry) (daosgo.UpgradePlan, error) {
	up, ok := b.Admin().(daosgo.Upgrader)
	if !ok {
		return daosgo.UpgradePlan{}, daosgo.Errorf(daosgo.ErrNotSupported, "the %s backend cannot upgrade pools", b.Name())
	}
	props, err := b.Admin().GetPoolProps(ctx, pool, daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	if err != nil {
		return daosgo.UpgradePlan{}, err
	}
	version, status := uint32(props[0].Num), daosgo.UpgradeStatus(props[1].Num)
	max := r.MaxVersion()
	if version > max {
		return daosgo.UpgradePlan{}, daosgo.Errorf(daosgo.ErrDFIncompat,
			"pool %s has layout version %d but this software supports at most version %d; upgrade daosgo first", pool, version, max)
	}
	if status == daosgo.UpgradeInProgress {
		// Already started: its plan is in the pool. RunUpgrade resumes it
		// if its process died, or fails DER_INPROGRESS while it runs.
		prog, err := up.UpgradeProgress(ctx, pool)
		return daosgo.UpgradePlan{From: prog.From, To: prog.To}, err
	}
	if version == max {
		return daosgo.UpgradePlan{}, daosgo.Errorf(daosgo.ErrAlready, "pool %s is at layout version %d, the newest this software knows: nothing to do", pool, version)
	}
	plan, err := r.Plan(version)
	if err != nil {
		return daosgo.UpgradePlan{}, fmt.Errorf("pool %s: %w", pool, err)
	}
	return plan, up.StartUpgrade(ctx, pool, plan)
}
