package checker

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/mwc/inject"
	"gotest.tools/v3/assert"
)

// TestMain lets the test binary play a checker that kills itself
// (DAOSGO_CHECKER_HELPER=action:n runs Check on the pool at the root given
// as last argument and SIGKILLs itself before the n-th orphan).
func TestMain(m *testing.M) {
	if spec := os.Getenv("DAOSGO_CHECKER_HELPER"); spec != "" {
		action, count, _ := strings.Cut(spec, ":")
		n, _ := strconv.Atoi(count)
		afterOrphan = func(i int) {
			if i == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
		e, err := embedded.Open(embedded.Options{Root: os.Args[len(os.Args)-1]})
		if err == nil {
			var p daosgo.Pool
			if p, err = e.Connect(ctx, "pool", daosgo.PoolRW); err == nil {
				opts := Options{Action: Relink, Name: "killed"}
				if action == "punch" {
					opts.Action = Punch
				}
				_, err = Check(ctx, p, "posix", opts)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKilledCheckConverges kills the checker half-way through relinking or
// punching; a second run finishes the job with no duplicate and no loss.
func TestKilledCheckConverges(t *testing.T) {
	for _, action := range []Action{Relink, Punch} {
		t.Run(action.String(), func(t *testing.T) {
			root := t.TempDir()
			e, err := embedded.Open(embedded.Options{Root: root})
			assert.NilError(t, err)
			defer e.Close()
			_, err = e.CreatePool(ctx, daosgo.PoolCreateReq{Label: "pool", Size: 1 << 32})
			assert.NilError(t, err)
			p, err := e.Connect(ctx, "pool", daosgo.PoolRW)
			assert.NilError(t, err)
			newPOSIX(t, p, "posix")
			before := tree(t, p, "posix", "/")
			c, _ := p.OpenContainer(ctx, "posix", daosgo.ContRW)
			m, err := inject.Inject(ctx, c, inject.LostDentry, 3, 21)
			assert.NilError(t, err)
			c.Close(ctx)
			assert.Assert(t, len(m.Orphans) >= 4, "want several orphans, got %v", m.Orphans)

			cmd := exec.Command(os.Args[0], "-test.run=^$", root)
			cmd.Env = append(os.Environ(), "DAOSGO_CHECKER_HELPER="+action.String()+":"+strconv.Itoa(2))
			err = cmd.Run()
			var exit *exec.ExitError
			assert.Assert(t, err != nil && errorsAs(err, &exit) && exit.ExitCode() == -1, "the checker was not killed: %v", err)

			// Run again: it converges.
			res, err := Check(ctx, p, "posix", Options{Action: action, Name: "again"})
			assert.NilError(t, err)
			assert.Assert(t, len(res.Orphans) > 0 && len(res.Orphans) < len(m.Orphans),
				"the second run found %d of %d orphans: the first should have handled some", len(res.Orphans), len(m.Orphans))
			final, err := Check(ctx, p, "posix", Options{})
			assert.NilError(t, err)
			assert.Equal(t, len(final.Orphans), 0)

			c, _ = p.OpenContainer(ctx, "posix", daosgo.ContRO)
			snaps, _ := c.ListSnapshots(ctx)
			assert.Equal(t, len(snaps), 0, "the killed run's snapshot was left behind")
			c.Close(ctx)
			if action == Relink {
				// Each orphaned file is found once, byte for byte, across
				// both runs' lost+found directories.
				found := map[string]int{}
				for _, v := range tree(t, p, "posix", "/lost+found") {
					found[v]++
				}
				for pth, v := range before {
					if affected(pth, m) && len(v) > 7 && v[:5] == "file " && v[:7] != "file 0 " {
						assert.Assert(t, found[v] > 0, "%s lost", pth)
						found[v]--
					}
				}
				for v, n := range found {
					if len(v) > 5 && v[:5] == "file " && v[:7] != "file 0 " {
						assert.Equal(t, n, 0, "%s relinked twice", v)
					}
				}
			}
		})
	}
}
