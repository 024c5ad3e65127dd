package embedded

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/google/uuid"
)

// An upgrade nobody has to babysit. DAOS resumes an interrupted upgrade
// when its engines restart; the embedded engine has no engine process that
// restarts, so every operation on a pool plays that part: the first one
// that finds the upgrade's process gone restarts the upgrade in another
// process and goes on (the pool stays closed to connections until the
// upgrade ends). Starting a process is the program's business, not the
// engine's: the program gives a Resumer (the CLI starts a detached daosgo
// that runs the upgrade). Without one, Connect resumes the upgrade inline.

// Restart describes an upgrade found abandoned, for a Resumer.
type Restart struct {
	Pool    string    // the pool as the caller named it
	UUID    uuid.UUID // the pool's UUID
	DeadPID int       // the process that ran the upgrade and is gone; 0 if none was recorded
}

// Resumer starts a process that runs the pool's interrupted upgrade (with
// RunUpgrade) and returns its pid. The engine hands the upgrade to that
// process; until the hand-over the process's RunUpgrade fails
// DER_INPROGRESS, so it should retry for a while (as 'daosgo pool
// upgrade-worker' does).
type Resumer func(ctx context.Context, r Restart) (pid int, err error)

// SetResumer makes the engine restart abandoned upgrades through r (nil:
// resume them inline at the next Connect).
func (e *Engine) SetResumer(r Resumer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resumer = r
}

func (e *Engine) hasResumer() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resumer != nil
}

// ownerOf returns the owner string of a running process, as processOwner
// computes it in that process.
func ownerOf(pid int) string { return fmt.Sprintf("%s:%d:%s", hostname, pid, procStart(pid)) }

// ownerPID returns the pid of an owner string, 0 if it has none.
func ownerPID(owner string) int {
	parts := strings.SplitN(owner, ":", 3)
	if len(parts) != 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[1])
	return pid
}

// abandoned reports whether the pool's upgrade is in progress with no live
// process running it, and which process ran it.
func abandoned(t *tx) (bool, string, error) {
	running, owner, err := upgradeOwner(t)
	return running && (owner == "" || !ownerAlive(owner)), owner, err
}

// touch restarts the pool's upgrade in another process, through the
// engine's Resumer, if the process running it is gone. Concurrent callers,
// in this process or others, restart it once: the first to claim it in the
// pool does, the others find it owned.
func (e *Engine) touch(ctx context.Context, id uuid.UUID, s *store, pool string) error {
	e.mu.Lock()
	resume, mine := e.resumer, e.upgrading[id]
	e.mu.Unlock()
	if resume == nil || mine {
		return nil
	}
	var gone bool
	err := s.read(ctx, func(t *tx) error {
		var err error
		gone, _, err = abandoned(t)
		return err
	})
	if err != nil || !gone {
		return err // the common case: one read, nothing to do
	}
	var dead string
	claimed := false
	err = s.write(ctx, func(t *tx) error {
		gone, owner, err := abandoned(t)
		if err != nil || !gone {
			return err
		}
		// This process holds the upgrade (it is alive) while it starts
		// the one that will run it; if it dies meanwhile, the next
		// operation finds the upgrade abandoned again.
		if err := setMeta(t, "upgrade_owner", e.owner); err != nil {
			return err
		}
		p, err := loadProgress(t)
		if err != nil {
			return err
		}
		p.Restarts++
		p.RunStarted = time.Time{} // no rate until the new process runs
		dead, claimed = owner, true
		return saveProgress(t, p)
	})
	if err != nil || !claimed {
		return err
	}
	pid, rerr := resume(ctx, Restart{Pool: pool, UUID: id, DeadPID: ownerPID(dead)})
	// Hand the upgrade to the new process, or give it back if none started
	// (the next operation tries again), unless someone took it meanwhile.
	next := ""
	if rerr == nil {
		next = ownerOf(pid)
	}
	err = s.write(context.WithoutCancel(ctx), func(t *tx) error {
		var owner string
		if err := getMeta(t, "upgrade_owner", &owner); err != nil || owner != e.owner {
			return err
		}
		return setMeta(t, "upgrade_owner", next)
	})
	if rerr != nil {
		return errors.Join(fmt.Errorf("pool %s: its upgrade was interrupted and could not be restarted: %w", pool, rerr), err)
	}
	return err
}

// HandOffUpgrade gives the pool's upgrade, started by this process, to
// process pid, which runs it: 'daosgo pool upgrade' starts the upgrade,
// starts a worker and hands it over, so the worker need not wait for it to
// exit. It fails DER_INPROGRESS if this process does not hold the upgrade.
func (e *Engine) HandOffUpgrade(ctx context.Context, pool string, pid int) error {
	_, s, err := e.resolve(ctx, pool)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		running, owner, err := upgradeOwner(t)
		if err != nil {
			return err
		}
		if !running || owner != e.owner {
			return daosgo.Errorf(daosgo.ErrInProgress, "pool %s: this process does not hold its upgrade", pool)
		}
		return setMeta(t, "upgrade_owner", ownerOf(pid))
	})
}
