package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/populate"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

type contPopulateCmd struct {
	contArgs
	Seed uint64 `default:"1" help:"Seed: the same seed makes the same tree and bytes."`
	// POSIX
	Top          string   `default:"/" help:"POSIX: directory to fill (created if missing)."`
	Depth        intFlag  `default:"2" help:"POSIX: directory levels below the top (0 to 32)."`
	Dirs         intFlag  `default:"4" help:"POSIX: sub-directories per directory (0 to 1000000)."`
	Files        intFlag  `default:"16" help:"POSIX: files per directory (0 to 1000000)."`
	MinSize      byteSize `name:"min-size" default:"0" help:"POSIX: smallest file (sizes are spread log-uniformly)."`
	MaxSize      byteSize `name:"max-size" default:"64KiB" help:"POSIX: largest file (at most 1GiB)."`
	SymlinkEvery intFlag  `name:"symlink-every" default:"8" help:"POSIX: a symlink after every N files (0: none)."`
	Workers      intFlag  `default:"4" help:"POSIX: directories filled at once (1 to 1024)."`
	// PYTHON
	Dicts intFlag `default:"8" help:"PYTHON: dicts to create (0 to 1000000)."`
	Keys  intFlag `default:"64" help:"PYTHON: keys per dict (0 to 1000000)."`
}

// maxPopulateEntries bounds the namespace one populate makes, so that a
// typo in a dimension is refused rather than run for days.
const maxPopulateEntries = 100_000_000

// Validate checks the shape of what populate is asked to make before it
// makes any of it.
func (c *contPopulateCmd) Validate() error {
	for _, r := range []struct {
		flag   string
		v      intFlag
		lo, hi int
	}{
		{"--depth", c.Depth, 0, 32}, {"--dirs", c.Dirs, 0, 1000000}, {"--files", c.Files, 0, 1000000},
		{"--symlink-every", c.SymlinkEvery, 0, 1000000}, {"--workers", c.Workers, 1, 1024},
		{"--dicts", c.Dicts, 0, 1000000}, {"--keys", c.Keys, 0, 1000000},
	} {
		if err := inRange(r.flag, r.v, r.lo, r.hi); err != nil {
			return err
		}
	}
	if c.MaxSize > 1<<30 {
		return fmt.Errorf("--max-size %d: want at most 1GiB", c.MaxSize)
	}
	if c.MinSize > c.MaxSize {
		return fmt.Errorf("--min-size %d is larger than --max-size %d", c.MinSize, c.MaxSize)
	}
	if c.treeTooDeep() || c.treeSpec().Entries() > maxPopulateEntries {
		return fmt.Errorf("--depth %d with --dirs %d and --files %d makes more than %d entries", c.Depth, c.Dirs, c.Files, maxPopulateEntries)
	}
	if n := int(c.Dicts) * (1 + int(c.Keys)); n > maxPopulateEntries {
		return fmt.Errorf("--dicts %d with --keys %d makes more than %d entries", c.Dicts, c.Keys, maxPopulateEntries)
	}
	return nil
}

// treeTooDeep reports whether the directories of the deepest level alone
// pass the bound; checked first, as Entries could overflow.
func (c *contPopulateCmd) treeTooDeep() bool {
	level := 1
	for d := 0; d < int(c.Depth) && c.Dirs > 1; d++ {
		if level *= int(c.Dirs); level > maxPopulateEntries {
			return true
		}
	}
	return false
}

func (c *contPopulateCmd) treeSpec() populate.TreeSpec {
	return populate.TreeSpec{Seed: c.Seed, Depth: int(c.Depth), DirsPerDir: int(c.Dirs), FilesPerDir: int(c.Files),
		MinSize: int(c.MinSize), MaxSize: int(c.MaxSize), SymlinkEvery: int(c.SymlinkEvery), Workers: int(c.Workers)}
}

func (c *contPopulateCmd) Run(ctx context.Context, g *globals) error {
	show := statsPrinter(g)
	start := time.Now()
	return withCont(ctx, g, c.contArgs, daosgo.PoolRW, daosgo.ContRW, func(_ daosgo.Pool, h daosgo.Container) error {
		props, err := h.GetProps(ctx, daosgo.PropContLayoutType)
		if err != nil {
			return err
		}
		var st populate.Stats
		switch props[0].Num {
		case daosgo.LayoutPOSIX:
			fs, err := dfs.Mount(ctx, h)
			if err != nil {
				return err
			}
			spec := c.treeSpec()
			st, err = populate.DFS(ctx, fs, c.Top, spec, func(s populate.Stats) { show(s, spec.Entries(), false) })
			if err != nil {
				return err
			}
			show(st, spec.Entries(), true)
		case daosgo.LayoutPython:
			pc, err := pydaos.Open(ctx, h, daosgo.ObjRW)
			if err != nil {
				return err
			}
			defer pc.Close()
			spec := populate.PySpec{Seed: c.Seed, Dicts: int(c.Dicts), KeysPerDict: int(c.Keys), MinValue: 8, MaxValue: 256}
			total := spec.Dicts * (1 + spec.KeysPerDict)
			st, err = populate.Python(ctx, pc, spec, func(s populate.Stats) { show(s, total, false) })
			if err != nil {
				return err
			}
			show(st, total, true)
		default:
			return daosgo.Errorf(daosgo.ErrNotSupported, "container %s has layout %s: populate makes POSIX or PYTHON content",
				c.Cont, daosgo.LayoutName(props[0].Num))
		}
		took := time.Since(start)
		return g.print(struct {
			populate.Stats
			Entries int64   `json:"entries"`
			Seconds float64 `json:"seconds"`
		}{st, st.Entries(), took.Seconds()}, func(w io.Writer) {
			fmt.Fprintf(w, "Populated %s: %s in %s (%.0f entries/s)\n", c.Cont, describe(st), took.Round(time.Millisecond),
				float64(st.Entries())/took.Seconds())
		})
	})
}

func describe(s populate.Stats) string {
	var parts []string
	for _, p := range []struct {
		n    int64
		what string
	}{{s.Dirs, "directories"}, {s.Files, "files"}, {s.Symlinks, "symlinks"}, {s.Dicts, "dicts"}, {s.Keys, "keys"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ") + ", " + humanSize(uint64(s.Bytes))
}

// statsPrinter draws a progress bar on a terminal and nothing otherwise.
func statsPrinter(g *globals) func(s populate.Stats, total int, final bool) {
	f, ok := g.out.(*os.File)
	tty := false
	if ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	if g.JSON || !tty {
		return func(populate.Stats, int, bool) {}
	}
	return func(s populate.Stats, total int, final bool) {
		done := float64(s.Entries()) / float64(max(total, 1))
		done = min(done, 1)
		const width = 30
		n := int(done * width)
		fmt.Fprintf(g.out, "\r[%s%s] %3.0f%% %d/%d entries, %s", strings.Repeat("#", n), strings.Repeat(".", width-n),
			100*done, s.Entries(), total, humanSize(uint64(s.Bytes)))
		if final {
			fmt.Fprintln(g.out)
		}
	}
}
