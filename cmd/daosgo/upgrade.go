package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/upgrade"
)

type poolUpgradeCmd struct {
	poolArg
	Wait        bool   `help:"Run the upgrade in this process and follow it to the end with a progress bar, instead of returning at once."`
	MetricsAddr string `name:"metrics-addr" placeholder:"HOST:PORT" help:"Serve the upgrade's progress as Prometheus metrics on this address while it runs."`
}

func upgrader(g *globals) (daosgo.Backend, daosgo.Upgrader, error) {
	b, err := g.open()
	if err != nil {
		return nil, nil, err
	}
	up, ok := b.Admin().(daosgo.Upgrader)
	if !ok {
		return nil, nil, daosgo.Errorf(daosgo.ErrNotSupported, "the %s backend cannot upgrade pools", b.Name())
	}
	return b, up, nil
}

func (c *poolUpgradeCmd) Run(ctx context.Context, g *globals) error {
	// This command runs or starts the upgrade itself: it must not have the
	// engine restart an interrupted one behind its back.
	g.runsUpgrade = true
	// Everything that can be refused is checked before the upgrade
	// starts: starting it revokes every handle and closes the pool.
	var metrics net.Listener
	if c.MetricsAddr != "" {
		l, err := listenMetrics(c.MetricsAddr)
		if err != nil {
			return err
		}
		if c.Wait {
			metrics = l
			defer l.Close()
		} else {
			l.Close() // the worker listens; this checked it can
		}
	}
	if !c.Wait {
		if _, err := os.Executable(); err != nil {
			return fmt.Errorf("pool %s: cannot start the upgrade's worker: %w (use --wait)", c.Pool, err)
		}
	}
	b, up, err := upgrader(g)
	if err != nil {
		return err
	}
	plan, err := upgrade.Start(ctx, b, c.Pool, layouts)
	if errors.Is(err, daosgo.ErrAlready) {
		return g.print(map[string]any{"pool": c.Pool, "upgraded": false, "reason": err.Error()}, func(w io.Writer) {
			fmt.Fprintf(w, "Pool %s is already at layout version %d, the newest this software knows: nothing to do\n", c.Pool, layouts.MaxVersion())
		})
	}
	if err != nil {
		return err
	}
	if !g.JSON {
		fmt.Fprintf(g.out, "Upgrading %s from version %d to version %d\n", c.Pool, plan.From, plan.To)
	}
	if !c.Wait {
		pid, err := spawnWorker(g, c.Pool, c.MetricsAddr)
		if err != nil {
			return fmt.Errorf("pool %s: upgrade started but its worker did not: %w (run 'daosgo pool upgrade %s --wait' to run it here)", c.Pool, err, c.Pool)
		}
		// Hand the upgrade to the worker at once; should this fail, the
		// worker takes it when this process has exited.
		if h, ok := b.(interface {
			HandOffUpgrade(context.Context, string, int) error
		}); ok {
			_ = h.HandOffUpgrade(ctx, c.Pool, pid)
		}
		return g.print(map[string]any{"pool": c.Pool, "from_version": plan.From, "to_version": plan.To, "started": true, "worker_pid": pid}, func(w io.Writer) {
			fmt.Fprintf(w, "The upgrade runs in the background (pid %d); follow it with 'daosgo pool get-prop %s' or 'daosgo pool query %s'\n", pid, c.Pool, c.Pool)
		})
	}
	start := time.Now()
	prog, err := runUpgrade(ctx, g, up, c.Pool, metrics, 0)
	if err != nil {
		return err
	}
	return g.print(prog, func(w io.Writer) {
		fmt.Fprintf(w, "Pool %s upgraded to layout version %d in %s (%d object migrations)\n",
			c.Pool, prog.Version, time.Since(start).Round(time.Millisecond), prog.ObjectsDone)
	})
}

// runUpgrade runs the pool's recorded upgrade in this process, showing
// progress and serving metrics on metrics if it is not nil. While handOff
// lasts, a DER_INPROGRESS from the process that holds the upgrade is
// waited out: it hands the upgrade over to this one, or dies and leaves it.
func runUpgrade(ctx context.Context, g *globals, up daosgo.Upgrader, pool string, metrics net.Listener, handOff time.Duration) (daosgo.UpgradeProgress, error) {
	var latest atomic.Pointer[daosgo.UpgradeProgress]
	if p, err := up.UpgradeProgress(ctx, pool); err == nil {
		latest.Store(&p)
	}
	if metrics != nil {
		defer serveMetricsOn(metrics, pool, &latest)()
	}
	show := progressPrinter(g)
	deadline := time.Now().Add(handOff)
	for {
		err := up.RunUpgrade(ctx, pool, func(p daosgo.UpgradeProgress) {
			latest.Store(&p)
			show(p, false)
		})
		if errors.Is(err, daosgo.ErrInProgress) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			return daosgo.UpgradeProgress{}, err
		}
		break
	}
	p, err := up.UpgradeProgress(ctx, pool)
	if err == nil {
		show(p, true)
	}
	return p, err
}

// spawnWorker starts a detached daosgo process that runs the upgrade, so
// that this command returns at once, as dmg pool upgrade does, and returns
// its pid.
func spawnWorker(g *globals, pool, metricsAddr string) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	args := []string{"--engine", g.Engine, "pool", "upgrade-worker", pool}
	if metricsAddr != "" {
		args = append(args, "--metrics-addr", metricsAddr)
	}
	cmd := exec.Command(self, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // outlives this command and its terminal
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	// Reap it when it ends, should this process outlive it (a long-lived
	// command); a command that exits first leaves it to init.
	go cmd.Wait()
	return pid, nil
}

// installResumer has the embedded engine restart an upgrade whose process
// died (kill -9, a crash) in a detached worker, the first time any command
// touches the pool, and say so on stderr. The upgrade commands run
// upgrades themselves and do not install it.
func installResumer(g *globals, b daosgo.Backend) {
	e, ok := b.(interface{ SetResumer(embedded.Resumer) })
	if !ok || g.runsUpgrade {
		return
	}
	e.SetResumer(func(ctx context.Context, r embedded.Restart) (int, error) {
		pid, err := spawnWorker(g, r.UUID.String(), "")
		if err != nil {
			return 0, err
		}
		gone := "its process is gone"
		if r.DeadPID != 0 {
			gone = fmt.Sprintf("its process %d is gone", r.DeadPID)
		}
		fmt.Fprintf(g.errOut, "daosgo: the upgrade of pool %s was interrupted (%s); restarted it in the background (pid %d)\n", r.Pool, gone, pid)
		return pid, nil
	})
}

type poolUpgradeWorkerCmd struct {
	poolArg
	MetricsAddr string `name:"metrics-addr"`
}

// Run is the background half of 'pool upgrade': it takes the upgrade over
// from the command that started it, or that restarted it after its process
// died. Failures are recorded in the pool (status Failed, with the reason),
// where get-prop and query show them.
func (c *poolUpgradeWorkerCmd) Run(ctx context.Context, g *globals) error {
	g.runsUpgrade = true
	var metrics net.Listener
	if c.MetricsAddr != "" {
		l, err := listenMetrics(c.MetricsAddr)
		if err != nil {
			return err
		}
		defer l.Close()
		metrics = l
	}
	_, up, err := upgrader(g)
	if err != nil {
		return err
	}
	g.JSON = true // no terminal: stay quiet
	_, err = runUpgrade(ctx, g, up, c.Pool, metrics, 30*time.Second)
	return err
}

// progressPrinter shows upgrade progress: a bar redrawn in place on a
// terminal, a line per step otherwise, nothing in --json mode.
func progressPrinter(g *globals) func(p daosgo.UpgradeProgress, final bool) {
	if g.JSON {
		return func(daosgo.UpgradeProgress, bool) {}
	}
	tty := false
	if f, ok := g.out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	lastDone, lastDraw := 0, time.Time{}
	return func(p daosgo.UpgradeProgress, final bool) {
		if !tty {
			// A line as each step completes; the report that completes
			// a step still names it.
			if p.StepsDone > lastDone && p.Step != "" {
				fmt.Fprintf(g.out, "step %d/%d done: %s\n", p.StepsDone, p.StepsTotal, p.Step)
			}
			lastDone = p.StepsDone
			return
		}
		if !final && time.Since(lastDraw) < 100*time.Millisecond {
			return
		}
		lastDraw = time.Now()
		frac := 0.0
		if p.StepsTotal > 0 {
			frac = float64(p.StepsDone) / float64(p.StepsTotal)
			if p.ObjectsTotal > 0 && p.StepsDone < p.StepsTotal {
				frac += float64(p.Objects) / float64(p.ObjectsTotal) / float64(p.StepsTotal)
			}
		}
		const width = 30
		n := int(frac * width)
		line := fmt.Sprintf("\r[%s%s] %3.0f%% v%d step %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), 100*frac, p.Version, min(p.StepsDone+1, p.StepsTotal), p.StepsTotal)
		if p.ObjectsTotal > 0 && !final {
			line += fmt.Sprintf(" %d/%d objects", p.Objects, p.ObjectsTotal)
		}
		if r := rateETA(p); r != "" && !final {
			line += ", " + r
		}
		fmt.Fprintf(g.out, "%-120s", line)
		if final {
			fmt.Fprintln(g.out)
		}
	}
}

// rateETA says how fast the upgrade goes and how long the rest takes, ""
// while that is not known yet.
func rateETA(p daosgo.UpgradeProgress) string {
	if p.Rate <= 0 {
		return ""
	}
	s := fmt.Sprintf("%.0f objects/s (%s/s)", p.Rate, humanSize(uint64(p.BytesRate)))
	if p.ObjectsPlanned > p.ObjectsDone {
		eta := p.ETA.Round(time.Second)
		if p.ETA < 10*time.Second {
			eta = p.ETA.Round(100 * time.Millisecond)
		}
		s += ", ETA " + eta.String()
	}
	return s
}

type poolSetRebuildCmd struct {
	poolArg
	State string `arg:"" enum:"idle,busy,done" help:"Rebuild state: idle, busy or done."`
}

// Run sets the rebuild state of an embedded pool. DAOS's engines set it when
// targets fail or come back; the embedded engine has no targets to fail, so
// demos and tests set it to see what depends on it.
func (c *poolSetRebuildCmd) Run(ctx context.Context, g *globals) error {
	b, err := g.open()
	if err != nil {
		return err
	}
	e, ok := b.(interface {
		SetRebuildState(context.Context, string, string) error
	})
	if !ok {
		return daosgo.Errorf(daosgo.ErrNotSupported, "the %s backend's rebuild state is set by DAOS itself", b.Name())
	}
	if err := e.SetRebuildState(ctx, c.Pool, c.State); err != nil {
		return err
	}
	return g.print(map[string]string{"pool": c.Pool, "rebuild": c.State}, func(w io.Writer) {
		fmt.Fprintf(w, "Pool %s rebuild state set to %s\n", c.Pool, c.State)
	})
}
