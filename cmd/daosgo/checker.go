package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/checker"
	"github.com/daosgo/daosgo/mwc/inject"
)

type contCheckerCmd struct {
	contArgs
	Punch   bool    `help:"Punch orphaned objects, reclaiming their space." xor:"action"`
	Relink  bool    `help:"Relink orphaned objects under lost+found (DFS: /lost+found/NAME/hi.lo; PyDAOS: root entries lost+found/NAME/hi.lo, which DCont.get() opens)." xor:"action"`
	Name    *string `help:"NAME under lost+found for --relink, one name of at most 255 bytes (default: a timestamp)."`
	Evict   bool    `help:"Evict other handles to open the container exclusively."`
	Verify  bool    `help:"Check every object's records against their checksums (pools at layout version 4)."`
	FixSB   bool    `name:"fix-sb" help:"Rebuild a lost or corrupt DFS superblock."`
	FixRoot bool    `name:"fix-root" help:"Recreate a lost DFS root directory; what it held is relinked under lost+found (punched with --punch)."`
	Verbose bool    `short:"v" help:"List every entry without an object, not only their count."`
	Workers intFlag `default:"8" help:"Directories walked at once (1 to 1024)."`
}

func (c *contCheckerCmd) Run(ctx context.Context, g *globals) error {
	opts := checker.Options{Evict: c.Evict, Verify: c.Verify, FixSB: c.FixSB, FixRoot: c.FixRoot, Workers: int(c.Workers)}
	switch {
	case c.Punch:
		opts.Action = checker.Punch
	case c.Relink:
		opts.Action = checker.Relink
	}
	if c.Name != nil {
		opts.Name = *c.Name
	}
	drew := false
	if show := checkProgress(g); show != nil {
		opts.Progress = func(p checker.Progress) { drew = true; show(p) }
	}
	err := withPool(ctx, g, c.Pool, daosgo.PoolRW, func(p daosgo.Pool) error {
		res, err := checker.Check(ctx, p, c.Cont, opts)
		if drew {
			fmt.Fprint(g.out, "\r\033[K") // clear the progress line
		}
		if err != nil {
			return err
		}
		g.status = checkStatus(res)
		return g.print(res, func(w io.Writer) { printCheck(w, res, c.Verbose) })
	})
	if err != nil {
		return &statusError{checkOperational, err}
	}
	return nil
}

// Validate refuses flags that do not go together before anything is done.
func (c *contCheckerCmd) Validate() error {
	if err := inRange("--workers", c.Workers, 1, 1024); err != nil {
		return err
	}
	if c.Name == nil {
		return nil
	}
	if !c.Relink {
		return fmt.Errorf("--name goes with --relink")
	}
	if err := checker.ValidName(*c.Name); err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	return nil
}

// The checker's exit statuses, as fsck's: 0 nothing found, 1 damage found
// and all of it repaired, 4 damage left (a report that finds any), 8 the
// check could not be done. A refused command line exits 2 as for every
// daosgo command (fsck uses 16 for that).
const (
	checkClean       = 0
	checkRepaired    = 1
	checkUnrepaired  = 4
	checkOperational = 8
)

func checkStatus(r *checker.Result) int {
	switch {
	case r.Unrepaired():
		return checkUnrepaired
	case r.Repaired():
		return checkRepaired
	}
	return checkClean
}

// checkProgress shows the walk on a terminal, one line redrawn in place.
func checkProgress(g *globals) func(checker.Progress) {
	f, ok := g.out.(*os.File)
	if !ok || g.JSON {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(p checker.Progress) {
		fmt.Fprintf(g.out, "\r%-8s %d entries walked, %d of %d objects marked   ", p.Phase, p.Entries, p.Marked, p.Scanned)
	}
}

func printCheck(w io.Writer, r *checker.Result, verbose bool) {
	// The heading says what the check did, not only the action asked for:
	// a report that rebuilt the superblock changed the container.
	var did []string
	if r.SBRebuilt {
		did = append(did, "superblock rebuilt")
	}
	if r.RootRecreated {
		did = append(did, "root directory recreated")
	}
	if len(r.Orphans) > 0 {
		done := map[string]string{"report": "reported", "punch": "punched", "relink": "relinked"}[r.Action]
		did = append(did, fmt.Sprintf("%d orphans %s", len(r.Orphans), done))
	}
	fmt.Fprintf(w, "Checked %s container %s", r.Layout, r.Container)
	if len(did) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(did, "; "))
	}
	fmt.Fprintln(w)
	for _, o := range r.Orphans {
		switch {
		case o.RelinkedAs != "":
			fmt.Fprintf(w, "  orphan %-10s %-26s %10d bytes -> %s\n", o.Kind, o.OIDStr, o.Bytes, o.RelinkedAs)
		case o.Subtree:
			fmt.Fprintf(w, "  orphan %-10s %-26s %10d bytes (kept in its relinked subtree)\n", o.Kind, o.OIDStr, o.Bytes)
		default:
			fmt.Fprintf(w, "  orphan %-10s %-26s %10d bytes\n", o.Kind, o.OIDStr, o.Bytes)
		}
	}
	var kinds []string
	for k, n := range r.OrphansByKind {
		kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(kinds)
	byKind := "none"
	if len(kinds) > 0 {
		byKind = strings.Join(kinds, ", ")
	}
	fmt.Fprintf(w, "Summary:\n  objects scanned:  %d\n  objects marked:   %d\n  entries walked:   %d\n  orphans:          %d (%s)\n",
		r.Scanned, r.Marked, r.Entries, len(r.Orphans), byKind)
	fmt.Fprintf(w, "  punched:          %d\n  relinked:         %d\n  bytes reclaimed:  %s\n", r.Punched, r.Relinked, humanSize(r.BytesReclaimed))
	// Mostly empty files and directories, which libdfs writes no object
	// for: counted by default, listed when asked, so they do not bury what
	// matters.
	fmt.Fprintf(w, "  entries without an object (empty, or lost): %d", len(r.Dangling))
	if len(r.Dangling) > 0 && !verbose {
		fmt.Fprint(w, " (--verbose lists them)")
	}
	fmt.Fprintln(w)
	if verbose {
		for _, d := range r.Dangling {
			fmt.Fprintf(w, "    %s\n", quoteName(d))
		}
	}
	if len(r.PartialPuts) > 0 {
		fmt.Fprintf(w, "  partial puts:     %d (temporary entries of puts that died), %d removed\n", len(r.PartialPuts), r.PartialPutsRemoved)
		for _, p := range r.PartialPuts {
			fmt.Fprintf(w, "    %s\n", quoteName(p))
		}
	}
	if r.Verified+r.Skipped > 0 || len(r.CsumErrors) > 0 {
		fmt.Fprintf(w, "  verified:         %d\n", r.Verified)
		if r.Skipped > 0 {
			fmt.Fprintf(w, "  skipped:          %d\n", r.Skipped)
			whys := make([]string, 0, len(r.SkippedWhy))
			for why := range r.SkippedWhy {
				whys = append(whys, why)
			}
			sort.Strings(whys)
			for _, why := range whys {
				fmt.Fprintf(w, "    %d: %s\n", r.SkippedWhy[why], why)
			}
		}
		fmt.Fprintf(w, "  checksum errors:  %d\n", len(r.CsumErrors))
		for _, e := range r.CsumErrors {
			fmt.Fprintf(w, "    %s\n", e)
		}
	}
	if r.LostFound != "" {
		fmt.Fprintf(w, "  relinked under:   %s\n", r.LostFound)
	}
	fmt.Fprintf(w, "  duration:         %s\n", r.Duration.Round(1e6))
	if len(r.Orphans) > 0 && r.Action == "report" {
		fmt.Fprintln(w, "The orphans were left in place: run with --punch or --relink to repair.")
	}
	if len(r.PartialPuts) > r.PartialPutsRemoved {
		fmt.Fprintln(w, "The partial puts were left in place: run with --punch to remove them.")
	}
}

type contInjectCmd struct {
	contArgs
	Fault    string  `required:"" help:"DFS: lost-dir-object, lost-dentry, lost-file-object, lost-chunks, lost-sb, corrupt-sb, lost-root; PyDAOS: lost-kv-entry, lost-kv."`
	Count    intFlag `default:"1" help:"How many targets to break (1 to 1000000; fewer if the namespace has fewer)."`
	Seed     uint64  `default:"1" help:"Seed choosing the targets."`
	Manifest string  `help:"Write the manifest of what was broken to this file (JSON)."`
}

// Validate refuses an unknown fault or count before anything is broken.
func (c *contInjectCmd) Validate() error {
	if !slices.Contains(inject.DFSFaults, inject.Fault(c.Fault)) && !slices.Contains(inject.PythonFaults, inject.Fault(c.Fault)) {
		return fmt.Errorf("--fault %q: want one of DFS's %v or PyDAOS's %v", c.Fault, inject.DFSFaults, inject.PythonFaults)
	}
	return inRange("--count", c.Count, 1, 1000000)
}

func (c *contInjectCmd) Run(ctx context.Context, g *globals) error {
	// Make sure the manifest can be written before breaking anything.
	var manifest *os.File
	if c.Manifest != "" {
		var err error
		if manifest, err = createBeside(c.Manifest); err != nil {
			return fmt.Errorf("--manifest %s: %w (nothing was injected)", c.Manifest, err)
		}
		defer func() {
			manifest.Close()
			os.Remove(manifest.Name()) // gone already if it became the manifest
		}()
	}
	return withCont(ctx, g, c.contArgs, daosgo.PoolRW, daosgo.ContRW, func(_ daosgo.Pool, h daosgo.Container) error {
		m, err := inject.Inject(ctx, h, inject.Fault(c.Fault), int(c.Count), c.Seed)
		if err != nil {
			return err
		}
		if manifest != nil {
			b, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				return err
			}
			if _, err := manifest.Write(append(b, '\n')); err != nil {
				return fmt.Errorf("injected, but the manifest was not written: %w", err)
			}
			if err := manifest.Close(); err != nil {
				return fmt.Errorf("injected, but the manifest was not written: %w", err)
			}
			if err := os.Rename(manifest.Name(), c.Manifest); err != nil {
				return fmt.Errorf("injected, but the manifest was not written: %w", err)
			}
		}
		return g.print(m, func(w io.Writer) {
			fmt.Fprintf(w, "Injected %s into %s:\n", m.Fault, c.Cont)
			for _, it := range m.Items {
				fmt.Fprintf(w, "  %-10s %-30s %s\n", it.Kind, it.Path+" "+it.OID, it.Detail)
			}
			fmt.Fprintf(w, "  orphaned objects: %d\n", len(m.Orphans))
			if len(m.Needs) > 0 {
				fmt.Fprintf(w, "  the checker needs: --%s\n", strings.Join(m.Needs, " --"))
			}
		})
	})
}

// createBeside creates a temporary file in the directory of path, to be
// renamed over path once written: it proves path can be written, and a
// reader of path never sees half a file. A directory at path is refused.
func createBeside(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}
