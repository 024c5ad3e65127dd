package checker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// The checker's OIT snapshots have no names (DAOS 2.8 has none), so a run
// says in a container attribute which snapshot is its own: before taking
// it, the newest epoch that already exists and the time; once taken, its
// epoch. A run that dies leaves the attribute behind, and the next run
// (which holds the container exclusively, as the dead one did) destroys
// what it names before it starts.
const snapAttr = "daosgo.checker.snapshot"

// takenWithin bounds how long after the attribute was written a snapshot
// can have been taken by the run that wrote it, for the one case where the
// run died between the two: only snapshots that new, and newer than every
// snapshot that existed then, are taken for its own.
const takenWithin = time.Minute

// ownSnapshot takes an OIT snapshot of c, recorded as the checker's, and
// returns its epoch and a release function that destroys it and the
// record; release runs whatever happened, Ctrl-C included, so it does not
// use the caller's context.
func ownSnapshot(ctx context.Context, c daosgo.Container) (uint64, func() error, error) {
	newest, err := newestEpoch(ctx, c)
	if err != nil {
		return 0, nil, err
	}
	intent := fmt.Sprintf("after %d at %d", newest, time.Now().UnixNano())
	if err := c.SetAttr(ctx, snapAttr, []byte(intent)); err != nil {
		return 0, nil, fmt.Errorf("record the checker's snapshot: %w", err)
	}
	epoch, err := c.CreateSnapshot(ctx, true)
	if err != nil {
		return 0, nil, errors.Join(fmt.Errorf("OIT snapshot: %w", err), c.DelAttr(context.Background(), snapAttr))
	}
	release := func() error {
		bg := context.Background()
		err := c.DestroySnapshot(bg, epoch)
		if err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return fmt.Errorf("destroy the checker's snapshot at epoch %d: %w", epoch, err)
		}
		return c.DelAttr(bg, snapAttr)
	}
	if err := c.SetAttr(ctx, snapAttr, []byte(fmt.Sprintf("epoch %d", epoch))); err != nil {
		return 0, nil, errors.Join(fmt.Errorf("record the checker's snapshot: %w", err), release())
	}
	return epoch, release, nil
}

func newestEpoch(ctx context.Context, c daosgo.Container) (uint64, error) {
	snaps, err := c.ListSnapshots(ctx)
	if err != nil {
		return 0, err
	}
	var newest uint64
	for _, s := range snaps {
		newest = max(newest, s.Epoch)
	}
	return newest, nil
}

// dropStaleSnapshot destroys the snapshot a run that died left behind, as
// its attribute names it, and the attribute.
func dropStaleSnapshot(ctx context.Context, c daosgo.Container) error {
	v, err := c.GetAttr(ctx, snapAttr)
	if errors.Is(err, daosgo.ErrNonexist) {
		return nil
	}
	if err != nil {
		return err
	}
	var doomed []uint64
	var epoch, after uint64
	var at int64
	switch {
	case scan(string(v), "epoch %d", &epoch):
		doomed = append(doomed, epoch)
	case scan(string(v), "after %d at %d", &after, &at):
		snaps, err := c.ListSnapshots(ctx)
		if err != nil {
			return err
		}
		wrote := time.Unix(0, at)
		for _, s := range snaps {
			if s.Epoch > after && s.Time.Sub(wrote).Abs() < takenWithin {
				doomed = append(doomed, s.Epoch)
			}
		}
	default:
		return daosgo.Errorf(daosgo.ErrInval, "container attribute %s holds %q, which this checker does not understand; delete it if no checker runs", snapAttr, v)
	}
	for _, e := range doomed {
		if err := c.DestroySnapshot(ctx, e); err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return fmt.Errorf("destroy the snapshot a killed checker left at epoch %d: %w", e, err)
		}
	}
	return c.DelAttr(ctx, snapAttr)
}

// scan reports whether s has the form format, storing its numbers.
func scan(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}
