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
	Top          string `default:"/" help:"POSIX: directory to fill (created if missing)."`
	Depth        int    `default:"2" help:"POSIX: directory levels below the top."`
	Dirs         int    `default:"4" help:"POSIX: sub-directories per directory."`
	Files        int    `default:"16" help:"POSIX: files per directory."`
	MinSize      string `name:"min-size" default:"0" help:"POSIX: smallest file (sizes are spread log-uniformly)."`
	MaxSize      string `name:"max-size" default:"64KiB" help:"POSIX: largest file."`
	SymlinkEvery int    `name:"symlink-every" default:"8" help:"POSIX: a symlink after every N files (0: none)."`
	Workers      int    `default:"4" help:"POSIX: directories filled at once."`
	// PYTHON
	Dicts      int `default:"8" help:"PYTHON: dicts to create."`
	Keys       int `default:"64" help:"PYTHON: keys per dict."`
	Arrays     int `default:"2" help:"PYTHON: arrays to create."`
	ArrayCells int `name:"array-cells" default:"4096" help:"PYTHON: 8-byte cells per array."`
}

func (c *contPopulateCmd) Run(ctx context.Context, g *globals) error {
	minSize, err := parseSize(c.MinSize)
	if err != nil {
		return err
	}
	maxSize, err := parseSize(c.MaxSize)
	if err != nil {
		return err
	}
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
			spec := populate.TreeSpec{Seed: c.Seed, Depth: c.Depth, DirsPerDir: c.Dirs, FilesPerDir: c.Files,
				MinSize: int(minSize), MaxSize: int(maxSize), SymlinkEvery: c.SymlinkEvery, Workers: c.Workers}
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
			spec := populate.PySpec{Seed: c.Seed, Dicts: c.Dicts, KeysPerDict: c.Keys, MinValue: 8, MaxValue: 256,
				Arrays: c.Arrays, ArrayCells: c.ArrayCells}
			total := spec.Dicts*(1+spec.KeysPerDict) + spec.Arrays
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
	}{{s.Dirs, "directories"}, {s.Files, "files"}, {s.Symlinks, "symlinks"}, {s.Dicts, "dicts"}, {s.Keys, "keys"}, {s.Arrays, "arrays"}} {
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
