package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
)

type fsCmd struct {
	Ls    fsLsCmd    `cmd:"" help:"List a directory of a POSIX container."`
	Stat  fsStatCmd  `cmd:"" help:"Show an entry's type, mode, size, times and object ID."`
	Cat   fsCatCmd   `cmd:"" help:"Print a file."`
	Put   fsPutCmd   `cmd:"" help:"Copy a local file (or - for standard input) into the container."`
	Mkdir fsMkdirCmd `cmd:"" help:"Create a directory."`
	Rm    fsRmCmd    `cmd:"" help:"Remove a file, symlink or empty directory (-r: a whole tree), punching its objects."`
	Ln    fsLnCmd    `cmd:"" help:"Make a symbolic link (-s; DFS has no hard links)."`
}

// withFS mounts the POSIX container named by a for fn.
func withFS(ctx context.Context, g *globals, a contArgs, write bool, fn func(*dfs.FS) error) error {
	pf, cf := daosgo.PoolRO, daosgo.ContRO
	if write {
		pf, cf = daosgo.PoolRW, daosgo.ContRW
	}
	return withCont(ctx, g, a, pf, cf, func(_ daosgo.Pool, c daosgo.Container) error {
		fs, err := dfs.Mount(ctx, c)
		if err != nil {
			return err
		}
		return fn(fs)
	})
}

type fsLsCmd struct {
	contArgs
	Path      string `arg:"" optional:"" default:"/" help:"Directory (default /)."`
	Long      bool   `short:"l" help:"Show type, mode, size and object ID."`
	Recursive bool   `short:"r" help:"List the whole tree below the directory, each entry by its path from there (symlinks are not followed)."`
}

// lsEntry is one entry as 'fs ls --json' prints it: its stat, and its
// path in the container.
type lsEntry struct {
	dfs.Stat
	Path string `json:"path"`
}

func (c *fsLsCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, false, func(fs *dfs.FS) error {
		top := path.Clean("/" + c.Path)
		n, err := fs.Lookup(ctx, top)
		if err != nil {
			return err
		}
		var out []lsEntry
		if !n.IsDir() {
			st, err := fs.StatNode(ctx, n)
			if err != nil {
				return err
			}
			out = []lsEntry{{st, top}}
		} else if out, err = listDir(ctx, fs, n.OID, top, "", c.Recursive, map[daosgo.OID]bool{n.OID: true}); err != nil {
			return err
		}
		if out == nil {
			out = []lsEntry{}
		}
		return g.print(out, func(w io.Writer) {
			stats := make([]dfs.Stat, len(out))
			for i, e := range out {
				stats[i] = e.Stat
			}
			printStats(w, stats, c.Long)
		})
	})
}

// listDir lists directory dir (at path p) sorted by name, and with
// recursive what is below each sub-directory after it. Names are given
// relative to the listing's top (rel is dir's). seen guards against a
// damaged namespace whose directories loop.
func listDir(ctx context.Context, fs *dfs.FS, dir daosgo.OID, p, rel string, recursive bool, seen map[daosgo.OID]bool) ([]lsEntry, error) {
	ents, err := fs.ReaddirAll(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
	var out []lsEntry
	for _, e := range ents {
		full := path.Join(p, e.Name)
		st, err := fs.StatNode(ctx, dfs.Node{Parent: dir, Name: e.Name, Entry: e.Entry})
		if err != nil {
			return out, fmt.Errorf("%s: %w", full, err)
		}
		if e.IsSymlink() {
			if n, err := fs.Lookup(ctx, full); err == nil {
				st.Target = n.Target
			}
		}
		st.Name = path.Join(rel, e.Name)
		out = append(out, lsEntry{st, full})
		if recursive && e.IsDir() && !seen[e.OID] {
			seen[e.OID] = true
			below, err := listDir(ctx, fs, e.OID, full, st.Name, true, seen)
			out = append(out, below...)
			if err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func modeString(st dfs.Stat) string {
	t := map[string]byte{"dir": 'd', "symlink": 'l', "file": '-'}[st.Type]
	b := []byte{t}
	for i := 8; i >= 0; i-- {
		if st.Mode&(1<<uint(i)) != 0 {
			b = append(b, "rwxrwxrwx"[8-i])
		} else {
			b = append(b, '-')
		}
	}
	return string(b)
}

// quoteName makes a name safe to print one a line: a name holding a
// control character (a newline, say) or bytes that are not UTF-8 is
// printed Go-quoted, so that one entry never reads as two.
func quoteName(name string) string {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}

func printStats(w io.Writer, stats []dfs.Stat, long bool) {
	for _, st := range stats {
		name := quoteName(st.Name)
		if st.Target != "" {
			name += " -> " + quoteName(st.Target)
		}
		if !long {
			if st.Type == "dir" {
				name += "/"
			}
			fmt.Fprintln(w, name)
			continue
		}
		fmt.Fprintf(w, "%s %5d %5d %12d %s %-24s %s\n", modeString(st), st.UID, st.GID, st.Size,
			st.Mtime.Format("2006-01-02 15:04"), st.OIDStr, name)
	}
}

type fsStatCmd struct {
	contArgs
	Path string `arg:"" help:"Entry to stat."`
}

func (c *fsStatCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, false, func(fs *dfs.FS) error {
		st, err := fs.Stat(ctx, c.Path)
		if err != nil {
			return err
		}
		return g.print(st, func(w io.Writer) {
			fmt.Fprintf(w, "Path:   %s\nType:   %s\nMode:   %s (%#o)\nSize:   %d\nObject: %s\nOwner:  %d:%d\nMtime:  %s\nCtime:  %s\n",
				c.Path, st.Type, modeString(st), st.Mode&0o7777, st.Size, st.OIDStr, st.UID, st.GID, st.Mtime, st.Ctime)
			if st.Target != "" {
				fmt.Fprintf(w, "Target: %s\n", st.Target)
			}
		})
	})
}

type fsCatCmd struct {
	contArgs
	Path string `arg:"" help:"File to print."`
}

func (c *fsCatCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, false, func(fs *dfs.FS) error {
		data, err := fs.ReadFile(ctx, c.Path)
		if err != nil {
			return err
		}
		if g.JSON {
			// One document, whatever the bytes: base64, as JSON carries
			// byte strings.
			return g.print(struct {
				Path  string `json:"path"`
				Bytes int    `json:"bytes"`
				Data  []byte `json:"data"`
			}{c.Path, len(data), data}, nil)
		}
		_, err = g.out.Write(data)
		return err
	})
}

type fsPutCmd struct {
	contArgs
	Src  string   `arg:"" help:"Local file, or - for standard input."`
	Dest string   `arg:"" help:"Path in the container; a directory (or a path ending in /) keeps the source's name."`
	Mode fileMode `default:"0644" help:"Permissions of a new file (octal, 0 to 7777); a file that is replaced keeps its own."`
}

func (c *fsPutCmd) Run(ctx context.Context, g *globals) error {
	in := os.Stdin
	if c.Src != "-" {
		f, err := os.Open(c.Src)
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil {
			return err
		} else if fi.IsDir() {
			return daosgo.Errorf(daosgo.ErrInval, "%s is a directory: fs put copies one file", c.Src)
		}
		in = f
	}
	return withFS(ctx, g, c.contArgs, true, func(fs *dfs.FS) error {
		dest, err := putDest(ctx, fs, c.Dest, c.Src)
		if err != nil {
			return err
		}
		n, err := fs.PutFile(ctx, dest, in, uint32(c.Mode))
		if err != nil {
			return err
		}
		return g.print(map[string]any{"path": dest, "bytes": n}, func(w io.Writer) {
			fmt.Fprintf(w, "Wrote %d bytes to %s\n", n, dest)
		})
	})
}

// putDest is where 'fs put' writes: dest itself, or the source's name in
// dest when dest is a directory. A dest ending in "/" must be a directory,
// as for cp.
func putDest(ctx context.Context, fs *dfs.FS, dest, src string) (string, error) {
	n, err := fs.LookupFollow(ctx, dest)
	isDir := err == nil && n.IsDir()
	if !isDir && strings.HasSuffix(dest, "/") {
		if err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return "", err
		}
		return "", daosgo.Errorf(daosgo.ErrNotDir, "%s is not a directory", dest)
	}
	if !isDir {
		return dest, nil
	}
	if src == "-" {
		return "", daosgo.Errorf(daosgo.ErrInval, "%s is a directory: name the file to write", dest)
	}
	return path.Join(dest, filepath.Base(src)), nil
}

type fsMkdirCmd struct {
	contArgs
	Path    string   `arg:"" help:"Directory to create."`
	Parents bool     `short:"p" help:"Create missing parents; no error if it exists."`
	Mode    fileMode `default:"0755" help:"Permissions (octal, 0 to 7777)."`
}

func (c *fsMkdirCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, true, func(fs *dfs.FS) error {
		created := []string{}
		if !c.Parents {
			if _, err := fs.Mkdir(ctx, c.Path, uint32(c.Mode)); err != nil {
				return err
			}
			created = append(created, path.Clean("/"+c.Path))
		} else {
			cur := ""
			for _, part := range strings.Split(strings.Trim(path.Clean("/"+c.Path), "/"), "/") {
				cur += "/" + part
				_, err := fs.Mkdir(ctx, cur, uint32(c.Mode))
				if err == nil {
					created = append(created, cur)
				} else if !errors.Is(err, daosgo.ErrExist) {
					return err
				}
			}
		}
		return g.print(map[string]any{"path": path.Clean("/" + c.Path), "created": created}, func(io.Writer) {})
	})
}

type fsRmCmd struct {
	contArgs
	Path      string `arg:"" help:"Entry to remove."`
	Recursive bool   `short:"r" help:"Remove a directory and everything under it."`
}

func (c *fsRmCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, true, func(fs *dfs.FS) error {
		if err := fs.Remove(ctx, c.Path, c.Recursive); err != nil {
			return err
		}
		return g.print(map[string]string{"removed": path.Clean("/" + c.Path)}, func(io.Writer) {})
	})
}

type fsLnCmd struct {
	contArgs
	Symbolic bool   `short:"s" help:"Make a symbolic link (required: DFS has no hard links)."`
	Target   string `arg:"" help:"What the link points to, absolute or relative to the link's directory; it need not exist."`
	Link     string `arg:"" help:"Path of the new link."`
}

// Validate refuses a hard link, which DFS cannot make, and an empty
// target, before anything is done.
func (c *fsLnCmd) Validate() error {
	if !c.Symbolic {
		return fmt.Errorf("-s is required: DFS has symbolic links only, no hard links")
	}
	if c.Target == "" {
		return fmt.Errorf("the link's target is empty")
	}
	return nil
}

func (c *fsLnCmd) Run(ctx context.Context, g *globals) error {
	return withFS(ctx, g, c.contArgs, true, func(fs *dfs.FS) error {
		if err := fs.Symlink(ctx, c.Target, c.Link); err != nil {
			return err
		}
		link := path.Clean("/" + c.Link)
		return g.print(map[string]string{"path": link, "target": c.Target}, func(io.Writer) {})
	})
}
