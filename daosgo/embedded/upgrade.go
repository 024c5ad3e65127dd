package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// The engine plays DAOS's pool service for layout upgrades. StartUpgrade
// records the plan in the pool; RunUpgrade executes it step by step, each
// data-moving step in batches of objects, each batch one transaction that
// also advances the step's journal. A process that dies mid-upgrade (kill -9
// included) leaves the pool at a batch boundary with its journal saying
// where to go on. The pool records which process runs its upgrade; the
// next operation on the pool that finds that process gone restarts the
// upgrade: in another process when the engine has a Resumer (see touch),
// else inline at the next Connect.

var _ daosgo.Upgrader = (*Engine)(nil)

// defaultUpgradeBatch is how many objects one migration transaction moves:
// large enough that commits do not dominate, small enough that a resumed
// upgrade redoes little.
const defaultUpgradeBatch = 2048

func getMeta(t *tx, k string, dest any) error {
	err := t.row(`SELECT v FROM meta WHERE k = ?`, []any{k}, dest)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

func setMeta(t *tx, k string, v any) error {
	_, err := t.exec(`INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)`, k, v)
	return err
}

// progressRecord is the upgrade's progress as the pool keeps it: what it
// reports, and what its rate is measured from.
type progressRecord struct {
	daosgo.UpgradeProgress
	// BytesDone is the bytes the data steps have migrated, all steps
	// together (the reported Bytes are the running step's).
	BytesDone uint64 `json:"bytes_done"`
	// Planned says ObjectsPlanned was counted.
	Planned bool `json:"planned"`
	// StepFinished says Step names the last step done, not one running:
	// the reports of RunUpgrade name the step each completes, but readers
	// are told only of a step that runs.
	StepFinished bool `json:"step_finished"`
	// RunStarted is when the process running the upgrade took it over;
	// RunObjects and RunBytes what was done then. The rate is what that
	// process did since: the time a dead process left the pool waiting
	// does not count.
	RunStarted time.Time `json:"run_started,omitzero"`
	RunObjects uint64    `json:"run_objects"`
	RunBytes   uint64    `json:"run_bytes"`
}

// report is the progress as UpgradeProgress reports it at time now, with
// the rate and the time left.
func (r progressRecord) report(now time.Time) daosgo.UpgradeProgress {
	p := r.UpgradeProgress
	p.Rate, p.BytesRate, p.ETA, p.ETASeconds = 0, 0, 0, 0
	if p.Status != daosgo.UpgradeInProgress || r.RunStarted.IsZero() || p.ObjectsDone <= r.RunObjects {
		return p
	}
	if secs := now.Sub(r.RunStarted).Seconds(); secs > 0 {
		p.Rate = float64(p.ObjectsDone-r.RunObjects) / secs
		if r.BytesDone > r.RunBytes {
			p.BytesRate = float64(r.BytesDone-r.RunBytes) / secs
		}
		if p.ObjectsPlanned > p.ObjectsDone {
			p.ETA = time.Duration(float64(p.ObjectsPlanned-p.ObjectsDone) / p.Rate * float64(time.Second))
		}
		p.ETASeconds = p.ETA.Seconds()
	}
	return p
}

func loadProgress(t *tx) (progressRecord, error) {
	var r progressRecord
	var raw string
	if err := getMeta(t, "upgrade_progress", &raw); err != nil {
		return r, err
	}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return r, fmt.Errorf("upgrade progress record: %w", err)
		}
	}
	// The version and status are the pool's own properties, read with the
	// record in one transaction: what is reported agrees with them.
	props, err := getPoolProps(t, []daosgo.PropID{daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus})
	if err != nil {
		return r, err
	}
	r.Version = uint32(props[0].Num)
	r.Status = daosgo.UpgradeStatus(props[1].Num)
	r.State = r.Status.PoolStatus()
	return r, nil
}

func saveProgress(t *tx, r progressRecord) error {
	r.Updated = time.Now()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return setMeta(t, "upgrade_progress", string(b))
}

// upgradeOwner says whether an upgrade is in progress and which process
// ("" for none) runs it.
func upgradeOwner(t *tx) (running bool, owner string, err error) {
	var status uint64
	err = t.row(`SELECT ival FROM pool_props WHERE id = ?`, []any{int64(daosgo.PropPoolUpgradeStatus)}, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil // a version 0 pool, never upgraded
	}
	if err != nil {
		return false, "", err
	}
	if daosgo.UpgradeStatus(status) != daosgo.UpgradeInProgress {
		return false, "", nil
	}
	err = getMeta(t, "upgrade_owner", &owner)
	return true, owner, err
}

func setStatus(t *tx, st daosgo.UpgradeStatus) error {
	return putPoolProps(t, daosgo.Props{daosgo.NumProp(daosgo.PropPoolUpgradeStatus, uint64(st))})
}

// StartUpgrade checks the preconditions, records the plan, sets the status
// to in progress and revokes every handle, in one transaction.
func (e *Engine) StartUpgrade(ctx context.Context, pool string, plan daosgo.UpgradePlan) error {
	if len(plan.Steps) == 0 || plan.To <= plan.From {
		return daosgo.Errorf(daosgo.ErrInval, "upgrade pool %s: the plan has nothing to do", pool)
	}
	if plan.To > e.layout.MaxVersion() {
		return daosgo.Errorf(daosgo.ErrInval, "upgrade pool %s: version %d is newer than this software's %d", pool, plan.To, e.layout.MaxVersion())
	}
	_, s, err := e.resolve(ctx, pool)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := checkSchema(t, pool); err != nil {
			return err
		}
		props, err := getPoolProps(t, []daosgo.PropID{daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus})
		if err != nil {
			return err
		}
		version, status := uint32(props[0].Num), daosgo.UpgradeStatus(props[1].Num)
		if status == daosgo.UpgradeInProgress {
			_, owner, err := upgradeOwner(t)
			if err != nil {
				return err
			}
			if owner != "" && ownerAlive(owner) {
				return daosgo.Errorf(daosgo.ErrInProgress, "pool %s is already being upgraded", pool)
			}
			return nil // abandoned: its plan and journal stay, RunUpgrade resumes it
		}
		if version > e.layout.MaxVersion() {
			return daosgo.Errorf(daosgo.ErrDFIncompat, "pool %s has layout version %d but this software supports at most version %d",
				pool, version, e.layout.MaxVersion())
		}
		if version >= plan.To {
			return daosgo.Errorf(daosgo.ErrAlready, "pool %s is at layout version %d: nothing to upgrade", pool, version)
		}
		if version != plan.From {
			return daosgo.Errorf(daosgo.ErrMismatch, "pool %s is at layout version %d, the plan starts at %d", pool, version, plan.From)
		}
		var rebuild string
		if err := getMeta(t, "rebuild", &rebuild); err != nil {
			return err
		}
		if rebuild == daosgo.RebuildBusy {
			return daosgo.Errorf(daosgo.ErrBusy, "pool %s is rebuilding; retry the upgrade when the rebuild is done", pool)
		}
		if err := checkFreeSpace(t, pool, plan); err != nil {
			return err
		}
		// A failed upgrade to the same version keeps its steps and journal,
		// so retrying it goes on from where it stopped.
		var kept int
		var keptTo int64
		if err := t.row(`SELECT COUNT(*), COALESCE(MAX(version), 0) FROM upgrade_steps`, nil, &kept, &keptTo); err != nil {
			return err
		}
		if kept == 0 || uint32(keptTo) != plan.To {
			for _, q := range []string{`DELETE FROM upgrade_steps`, `DELETE FROM upgrade_journal`} {
				if _, err := t.exec(q); err != nil {
					return err
				}
			}
			for i, st := range plan.Steps {
				b, err := json.Marshal(st)
				if err != nil {
					return err
				}
				if _, err := t.exec(`INSERT INTO upgrade_steps(seq, version, step) VALUES(?, ?, ?)`, i, st.Version, string(b)); err != nil {
					return err
				}
			}
			kept = len(plan.Steps)
		}
		p := progressRecord{UpgradeProgress: daosgo.UpgradeProgress{From: plan.From, To: plan.To, StepsTotal: kept, Started: time.Now()}}
		if err := t.row(`SELECT COUNT(*) FROM upgrade_steps WHERE done = 1`, nil, &p.StepsDone); err != nil {
			return err
		}
		if err := saveProgress(t, p); err != nil {
			return err
		}
		// The starting process owns the upgrade until it exits or hands it
		// over: nobody else resumes it meanwhile.
		if err := setMeta(t, "upgrade_owner", e.owner); err != nil {
			return err
		}
		if err := setStatus(t, daosgo.UpgradeInProgress); err != nil {
			return err
		}
		// Revoke every handle: their next use fails DER_NO_HDL.
		_, err = t.exec(`DELETE FROM handles`)
		return err
	})
}

// checkFreeSpace refuses a data-moving plan when the pool has less free
// space than the plan asks for.
func checkFreeSpace(t *tx, pool string, plan daosgo.UpgradePlan) error {
	moves := false
	for _, st := range plan.Steps {
		moves = moves || st.Kind.MovesData()
	}
	if !moves || plan.MinFreePercent == 0 {
		return nil
	}
	quota, used, err := spaceUsed(t)
	if err != nil {
		return err
	}
	need := quota * int64(plan.MinFreePercent) / 100
	if free := quota - used; free < need {
		return daosgo.Errorf(daosgo.ErrNoSpace, "pool %s: the upgrade migrates data and needs %d bytes free (%d%% of the pool), but %d bytes are free",
			pool, need, plan.MinFreePercent, free)
	}
	return nil
}

// UpgradeProgress reports the pool's upgrade state. Like every operation
// on the pool, it restarts an upgrade whose process died (see touch).
func (e *Engine) UpgradeProgress(ctx context.Context, pool string) (daosgo.UpgradeProgress, error) {
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		return daosgo.UpgradeProgress{}, err
	}
	if err := e.touch(ctx, id, s, pool); err != nil {
		return daosgo.UpgradeProgress{}, err
	}
	var r progressRecord
	err = s.read(ctx, func(t *tx) error {
		if err := checkSchema(t, pool); err != nil {
			return err
		}
		r, err = loadProgress(t)
		return err
	})
	p := r.report(time.Now())
	if r.StepFinished {
		p.Step = ""
	}
	return p, err
}

// RunUpgrade runs what is left of the recorded plan. It returns at once if
// no upgrade is in progress, and fails DER_INPROGRESS if a live process
// already runs it.
func (e *Engine) RunUpgrade(ctx context.Context, pool string, progress func(daosgo.UpgradeProgress)) error {
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.upgrading[id] {
		e.mu.Unlock()
		return daosgo.Errorf(daosgo.ErrInProgress, "pool %s is being upgraded by this process", pool)
	}
	e.upgrading[id] = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.upgrading, id)
		e.mu.Unlock()
	}()
	claimed := false
	err = s.write(ctx, func(t *tx) error {
		if err := checkSchema(t, pool); err != nil {
			return err
		}
		running, owner, err := upgradeOwner(t)
		if err != nil || !running {
			return err
		}
		if owner != "" && owner != e.owner && ownerAlive(owner) {
			return daosgo.Errorf(daosgo.ErrInProgress, "pool %s is being upgraded by another process", pool)
		}
		claimed = true
		return setMeta(t, "upgrade_owner", e.owner)
	})
	if err != nil || !claimed {
		return err
	}
	u := &upgradeRun{e: e, s: s, pool: pool, progress: progress}
	if runErr := u.run(ctx); runErr != nil {
		// An interrupted run (Ctrl-C) stays in progress, to be resumed; a
		// failed one is marked Failed with its reason kept in the pool.
		final := context.Background()
		werr := s.write(final, func(t *tx) error {
			if err := setMeta(t, "upgrade_owner", ""); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			p, err := loadProgress(t)
			if err != nil {
				return err
			}
			p.Error, p.RunStarted = runErr.Error(), time.Time{}
			if err := saveProgress(t, p); err != nil {
				return err
			}
			return setStatus(t, daosgo.UpgradeFailed)
		})
		return errors.Join(fmt.Errorf("upgrade pool %s: %w", pool, runErr), werr)
	}
	return nil
}

// resumeAbandoned resumes an upgrade whose process died, as DAOS's engines
// resume a pool's upgrade when they restart.
func (e *Engine) resumeAbandoned(ctx context.Context, s *store, pool string) error {
	abandoned := false
	err := s.read(ctx, func(t *tx) error {
		running, owner, err := upgradeOwner(t)
		abandoned = running && (owner == "" || !ownerAlive(owner))
		return err
	})
	if err != nil || !abandoned {
		return err
	}
	err = e.RunUpgrade(ctx, pool, nil)
	if errors.Is(err, daosgo.ErrInProgress) {
		return nil // another process took it over; Connect reports the pool busy
	}
	return err
}

// upgradeRun executes one plan.
type upgradeRun struct {
	e        *Engine
	s        *store
	pool     string
	progress func(daosgo.UpgradeProgress)
}

// hook lets tests stop the process at named points of an upgrade.
func (u *upgradeRun) hook(point string) {
	if u.e.testHook != nil {
		u.e.testHook(point)
	}
}

// commit runs fn in a write transaction, then reports progress.
func (u *upgradeRun) commit(ctx context.Context, fn func(*tx, *progressRecord) error) error {
	var p progressRecord
	err := u.s.write(ctx, func(t *tx) error {
		var err error
		if p, err = loadProgress(t); err != nil {
			return err
		}
		if err := fn(t, &p); err != nil {
			return err
		}
		return saveProgress(t, p)
	})
	if err == nil && u.progress != nil {
		u.progress(p.report(time.Now()))
	}
	return err
}

type storedStep struct {
	seq  int64
	step daosgo.UpgradeStep
}

func (u *upgradeRun) run(ctx context.Context) error {
	var steps []storedStep
	err := u.s.read(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT seq, step FROM upgrade_steps WHERE done = 0 ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st storedStep
			var raw string
			if err := rows.Scan(&st.seq, &raw); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(raw), &st.step); err != nil {
				return fmt.Errorf("upgrade step %d: %w", st.seq, err)
			}
			steps = append(steps, st)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	// This process's run starts here: its rate is measured from now, and
	// the first run counts what the plan's data steps migrate.
	err = u.commit(ctx, func(t *tx, p *progressRecord) error {
		p.RunStarted, p.RunObjects, p.RunBytes = time.Now(), p.ObjectsDone, p.BytesDone
		if p.Planned {
			return nil
		}
		counted := map[string]uint64{}
		for _, st := range steps {
			if !st.step.Kind.MovesData() {
				continue
			}
			filter := migrationFilter(st.step.Kind)
			n, ok := counted[filter]
			if !ok {
				if err := t.row(`SELECT COUNT(*) FROM (SELECT 1 FROM recs WHERE 1 `+filter+` GROUP BY cont, hi, lo)`, nil, &n); err != nil {
					return err
				}
				counted[filter] = n
			}
			p.ObjectsPlanned += n
		}
		p.Planned = true
		return nil
	})
	if err != nil {
		return err
	}
	u.hook("claimed")
	for _, st := range steps {
		if err := u.runStep(ctx, st); err != nil {
			return fmt.Errorf("version %d step %q: %w", st.step.Version, st.step.Name, err)
		}
		u.hook("step-done")
	}
	return u.commit(ctx, func(t *tx, p *progressRecord) error {
		for _, q := range []string{`DELETE FROM upgrade_steps`, `DELETE FROM upgrade_journal`} {
			if _, err := t.exec(q); err != nil {
				return err
			}
		}
		p.Step, p.Error, p.RunStarted = "", "", time.Time{}
		if err := setMeta(t, "upgrade_owner", ""); err != nil {
			return err
		}
		if err := setStatus(t, daosgo.UpgradeCompleted); err != nil {
			return err
		}
		p.Status, p.State = daosgo.UpgradeCompleted, daosgo.UpgradeCompleted.PoolStatus()
		return nil
	})
}

// finishStep marks a step done and, when it was the last of its version,
// moves the pool and every container in it to that version.
func finishStep(t *tx, p *progressRecord, st storedStep) error {
	if _, err := t.exec(`UPDATE upgrade_steps SET done = 1 WHERE seq = ?`, st.seq); err != nil {
		return err
	}
	p.StepsDone++
	p.StepFinished = true
	var left int
	if err := t.row(`SELECT COUNT(*) FROM upgrade_steps WHERE done = 0 AND version = ?`, []any{st.step.Version}, &left); err != nil {
		return err
	}
	if left > 0 {
		return nil
	}
	p.Version = st.step.Version
	if _, err := t.exec(`INSERT OR REPLACE INTO cont_props(cont, id, sval, ival, bval) SELECT id, ?, '', ?, NULL FROM conts`,
		int64(daosgo.PropContGlobalVersion), int64(st.step.Version)); err != nil {
		return err
	}
	return putPoolProps(t, daosgo.Props{daosgo.NumProp(daosgo.PropPoolGlobalVersion, uint64(st.step.Version))})
}

func (u *upgradeRun) runStep(ctx context.Context, st storedStep) error {
	switch st.step.Kind {
	case daosgo.StepPoolProps:
		return u.commit(ctx, func(t *tx, p *progressRecord) error {
			p.Step = st.step.Name
			for _, pr := range st.step.Props {
				if _, err := t.exec(`INSERT OR IGNORE INTO pool_props(id, sval, ival) VALUES(?, ?, ?)`, int64(pr.ID), pr.Str, int64(pr.Num)); err != nil {
					return err
				}
			}
			return finishStep(t, p, st)
		})
	case daosgo.StepContProps:
		return u.commit(ctx, func(t *tx, p *progressRecord) error {
			p.Step = st.step.Name
			for _, pr := range st.step.Props {
				if _, err := t.exec(`INSERT OR IGNORE INTO cont_props(cont, id, sval, ival, bval) SELECT id, ?, ?, ?, NULL FROM conts`,
					int64(pr.ID), pr.Str, int64(pr.Num)); err != nil {
					return err
				}
			}
			return finishStep(t, p, st)
		})
	case daosgo.StepPlacement:
		// Only the records of multi-group objects move.
		return u.migrate(ctx, st, migrationFilter(st.step.Kind), func(t *tx, where string, args []any) error {
			// One pass finds the bytes each target gives and gains, one
			// update moves the records that change target.
			pl := int64(st.step.Placement)
			rows, err := t.query(`SELECT tgt, place(?, hi, lo, dkey), SUM(length(dkey) + length(akey) + length(val)) FROM recs WHERE `+where+` GROUP BY 1, 2`,
				append([]any{pl}, args...)...)
			if err != nil {
				return err
			}
			var delta [poolTargets]int64
			for rows.Next() {
				var from, to, b int64
				if err := rows.Scan(&from, &to, &b); err != nil {
					rows.Close()
					return err
				}
				if from != to && from >= 0 && from < poolTargets && to >= 0 && to < poolTargets {
					delta[from] -= b
					delta[to] += b
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if _, err := t.exec(`UPDATE recs SET tgt = place(?1, hi, lo, dkey) WHERE `+renumber(where, 2)+` AND tgt != place(?1, hi, lo, dkey)`,
				append([]any{pl}, args...)...); err != nil {
				return err
			}
			u.hook("mid-batch")
			for tgt, d := range delta {
				if d != 0 {
					if _, err := t.exec(`UPDATE space SET used = used + ? WHERE tgt = ?`, d, tgt); err != nil {
						return err
					}
				}
			}
			return nil
		}, func(t *tx) error {
			if err := setMeta(t, "placement", int64(st.step.Placement)); err != nil {
				return err
			}
			// The placement is DAOS's object layout version, which the
			// pool and each container show, as DAOS's upgrade sets them.
			if _, err := t.exec(`INSERT OR REPLACE INTO cont_props(cont, id, sval, ival, bval) SELECT id, ?, '', ?, NULL FROM conts`,
				int64(daosgo.PropContObjVersion), int64(st.step.Placement)); err != nil {
				return err
			}
			return putPoolProps(t, daosgo.Props{daosgo.NumProp(daosgo.PropPoolObjVersion, uint64(st.step.Placement))})
		})
	case daosgo.StepRecordFormat:
		return u.migrate(ctx, st, migrationFilter(st.step.Kind), func(t *tx, where string, args []any) error {
			_, err := t.exec(`UPDATE recs SET csum = crc32c(val) WHERE `+where, args...)
			u.hook("mid-batch")
			return err
		}, func(t *tx) error { return setMeta(t, "records", int64(st.step.Records)) })
	}
	return daosgo.Errorf(daosgo.ErrNotSupported, "unknown upgrade step kind %q", st.step.Kind)
}

// migrationFilter is the SQL condition on recs that selects the objects a
// data step of kind k migrates: a placement change moves the records of
// multi-group objects only; a record format change rewrites every record.
func migrationFilter(k daosgo.StepKind) string {
	if k == daosgo.StepPlacement {
		return `AND ((hi >> 32) & 65535) > 1`
	}
	return ``
}

// renumber turns the anonymous parameters of an SQL condition into
// numbered ones starting at first, so that it can follow numbered ones.
func renumber(cond string, first int) string {
	var b strings.Builder
	n := first
	for _, r := range cond {
		if r == '?' {
			fmt.Fprintf(&b, "?%d", n)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrate applies perBatch to every object selected by filter (an SQL
// condition on recs), container by container, upgradeBatch objects per
// transaction, each transaction advancing the step's journal; then runs
// finish with the step's completion. perBatch gets a condition on recs
// (with its arguments) that selects exactly the batch's records, so it can
// work on the whole batch in a few set-based statements.
func (u *upgradeRun) migrate(ctx context.Context, st storedStep, filter string,
	perBatch func(t *tx, where string, args []any) error, finish func(*tx) error) error {
	// Totals for progress, counted once when the step starts.
	err := u.commit(ctx, func(t *tx, p *progressRecord) error {
		if p.Step == st.step.Name && !p.StepFinished {
			return nil // resumed: totals and counts stand
		}
		p.Step, p.StepFinished, p.Objects, p.Bytes = st.step.Name, false, 0, 0
		return t.row(`SELECT COUNT(*), COALESCE(SUM(b), 0) FROM (SELECT SUM(length(dkey) + length(akey) + length(val)) AS b FROM recs WHERE 1 `+filter+` GROUP BY cont, hi, lo)`,
			nil, &p.ObjectsTotal, &p.BytesTotal)
	})
	if err != nil {
		return err
	}
	var conts []int64
	err = u.s.read(ctx, func(t *tx) error {
		conts, err = column[int64](t, `SELECT id FROM conts WHERE id NOT IN (SELECT cont FROM upgrade_journal WHERE seq = ? AND done = 1) ORDER BY id`, st.seq)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range conts {
		for done := false; !done; {
			if err := ctx.Err(); err != nil {
				return daosgo.CanceledError(ctx, "upgrade of pool "+u.pool)
			}
			err := u.commit(ctx, func(t *tx, p *progressRecord) error {
				// The journal holds the last object done in this container.
				var lastHi, lastLo any
				err := t.row(`SELECT hi, lo FROM upgrade_journal WHERE seq = ? AND cont = ?`, []any{st.seq, c}, &lastHi, &lastLo)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				q := `SELECT DISTINCT hi, lo FROM recs WHERE cont = ? ` + filter
				args := []any{c}
				if lastHi != nil {
					q += ` AND (hi, lo) > (?, ?)`
					args = append(args, lastHi, lastLo)
				}
				q += ` ORDER BY hi, lo LIMIT ?`
				args = append(args, u.e.upgradeBatch)
				rows, err := t.query(q, args...)
				if err != nil {
					return err
				}
				var batch []daosgo.OID
				for rows.Next() {
					var h, l int64
					if err := rows.Scan(&h, &l); err != nil {
						rows.Close()
						return err
					}
					batch = append(batch, daosgo.OID{Hi: uint64(h), Lo: uint64(l)})
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				var bytes int64
				if n := len(batch); n > 0 {
					// The batch is the key range (last done, last of batch].
					where := `cont = ? ` + filter + ` AND (hi, lo) <= (?, ?)`
					args := []any{c, int64(batch[n-1].Hi), int64(batch[n-1].Lo)}
					if lastHi != nil {
						where += ` AND (hi, lo) > (?, ?)`
						args = append(args, lastHi, lastLo)
					}
					if err := t.row(`SELECT COALESCE(SUM(length(dkey) + length(akey) + length(val)), 0) FROM recs WHERE `+where, args, &bytes); err != nil {
						return err
					}
					if err := perBatch(t, where, args); err != nil {
						return fmt.Errorf("objects %s to %s: %w", batch[0], batch[n-1], err)
					}
				}
				done = len(batch) < u.e.upgradeBatch
				if n := len(batch); n > 0 {
					lastHi, lastLo = int64(batch[n-1].Hi), int64(batch[n-1].Lo)
				}
				if _, err := t.exec(`INSERT OR REPLACE INTO upgrade_journal(seq, cont, hi, lo, done) VALUES(?, ?, ?, ?, ?)`,
					st.seq, c, lastHi, lastLo, done); err != nil {
					return err
				}
				p.Objects += uint64(len(batch))
				p.Bytes += uint64(bytes)
				p.ObjectsDone += uint64(len(batch))
				p.BytesDone += uint64(bytes)
				return nil
			})
			if err != nil {
				return err
			}
			u.hook("batch-done")
		}
	}
	return u.commit(ctx, func(t *tx, p *progressRecord) error {
		if err := finish(t); err != nil {
			return err
		}
		return finishStep(t, p, st)
	})
}
