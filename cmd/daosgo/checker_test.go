package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"gotest.tools/v3/assert"
)

func TestCheckerCommands(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "4KiB")
	ok(t, dir, "container", "populate", "tank", "fs1", "--top", "/d", "--depth", "2", "--dirs", "2", "--files", "4", "--max-size", "16KiB")

	out := ok(t, dir, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, "orphans:          0 (none)"), out)

	manifest := filepath.Join(t.TempDir(), "m.json")
	out = ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--count", "2", "--seed", "3", "--manifest", manifest)
	assert.Assert(t, strings.Contains(out, "punched the entry in its parent"), out)
	var m struct{ Orphans []string }
	raw, err := os.ReadFile(manifest)
	assert.NilError(t, err)
	assert.NilError(t, json.Unmarshal(raw, &m))
	assert.Assert(t, len(m.Orphans) > 0)

	var res struct {
		Orphans []struct {
			OID        string `json:"oid"`
			RelinkedAs string `json:"relinked_as"`
		}
		Relinked  int    `json:"relinked"`
		LostFound string `json:"lost_found"`
	}
	jsonOf(t, exits(t, dir, checkUnrepaired, "--json", "container", "checker", "tank", "fs1"), &res)
	assert.Equal(t, len(res.Orphans), len(m.Orphans))
	out = exits(t, dir, checkUnrepaired, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, "The orphans were left in place: run with --punch or --relink"), out)

	jsonOf(t, exits(t, dir, checkRepaired, "--json", "container", "checker", "tank", "fs1", "--relink", "--name", "run1"), &res)
	assert.Assert(t, res.Relinked > 0)
	assert.Equal(t, res.LostFound, "/lost+found/run1")
	out = ok(t, dir, "fs", "ls", "tank", "fs1", "/lost+found/run1")
	assert.Equal(t, strings.Count(out, "\n"), res.Relinked)
	out = ok(t, dir, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, "orphans:          0 (none)"), out)

	// Errors: bad flags, an unknown fault, a busy container, a wrong type.
	_, errOut, code := runCLI(t, dir, "container", "checker", "tank", "fs1", "--punch", "--relink")
	assert.Equal(t, code, 2, errOut)
	_, errOut, code = runCLI(t, dir, "container", "checker", "tank", "fs1", "--name", "x")
	assert.Equal(t, code, 2)
	assert.Assert(t, strings.Contains(errOut, "--name goes with --relink"), errOut)
	_, errOut, code = runCLI(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-kv")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "does not apply"), errOut)
	ok(t, dir, "container", "create", "tank", "plain")
	_, errOut, code = runCLI(t, dir, "container", "checker", "tank", "plain")
	assert.Equal(t, code, checkOperational)
	assert.Assert(t, strings.Contains(errOut, "DER_NOTSUPPORTED"), errOut)

	// A lost superblock needs --fix-sb.
	ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-sb")
	_, errOut, code = runCLI(t, dir, "container", "checker", "tank", "fs1")
	assert.Equal(t, code, checkOperational)
	assert.Assert(t, strings.Contains(errOut, "--fix-sb"), errOut)
	out = exits(t, dir, checkRepaired, "container", "checker", "tank", "fs1", "--fix-sb")
	assert.Assert(t, strings.Contains(out, "superblock rebuilt"), out)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "d/\nlost+found/\n")
}

// exits runs a command that must exit with code and returns its output.
func exits(t *testing.T, dir string, code int, args ...string) string {
	t.Helper()
	out, errOut, got := runCLI(t, dir, args...)
	assert.Equal(t, got, code, "daosgo %v: %s%s", args, out, errOut)
	return out
}

// TestCheckerExitCodes follows fsck: 0 clean, 1 all repaired, 4 damage
// left, 8 the check could not be done, and 2 for a refused command line.
func TestCheckerExitCodes(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "4KiB")
	ok(t, dir, "container", "populate", "tank", "fs1", "--depth", "1", "--dirs", "2", "--files", "4", "--min-size", "5KiB", "--max-size", "16KiB")
	ok(t, dir, "container", "create", "tank", "py1", "--type", "PYTHON")
	ok(t, dir, "container", "populate", "tank", "py1", "--dicts", "3", "--keys", "4")
	ok(t, dir, "container", "inject", "tank", "py1", "--fault", "lost-kv-entry")
	steps := []struct {
		name string
		args []string
		code int
	}{
		{"clean", []string{"tank", "fs1"}, checkClean},
		{"clean and verified", []string{"tank", "fs1", "--verify"}, checkClean},
		{"report of orphans", []string{"tank", "py1"}, checkUnrepaired},
		{"punch", []string{"tank", "py1", "--punch"}, checkRepaired},
		{"clean after the punch", []string{"tank", "py1"}, checkClean},
		{"no such container", []string{"tank", "nosuch"}, checkOperational},
		{"no such pool", []string{"nosuch", "fs1"}, checkOperational},
		{"flags that conflict", []string{"tank", "fs1", "--punch", "--relink"}, exitUsage},
	}
	for _, st := range steps {
		exits(t, dir, st.code, append([]string{"container", "checker"}, st.args...)...)
	}

	// A record whose bytes changed behind the engine's back: --verify
	// reports the checksum error and cannot repair it.
	corruptRecord(t, dir)
	out := exits(t, dir, checkUnrepaired, "container", "checker", "tank", "fs1", "--verify")
	assert.Assert(t, strings.Contains(out, "checksum errors:  1"), out)
}

// corruptRecord zeroes the largest value (file data) of the only pool under
// dir, as a failing disk would.
func corruptRecord(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pool"))
	assert.NilError(t, err)
	assert.Equal(t, len(files), 1)
	db, err := sql.Open("sqlite3", files[0])
	assert.NilError(t, err)
	defer db.Close()
	r, err := db.Exec(`UPDATE recs SET val = zeroblob(length(val)) WHERE (cont, hi, lo, dkey, akey, idx) =
		(SELECT cont, hi, lo, dkey, akey, idx FROM recs ORDER BY length(val) DESC LIMIT 1)`)
	assert.NilError(t, err)
	n, err := r.RowsAffected()
	assert.NilError(t, err)
	assert.Equal(t, n, int64(1))
}

// TestInjectManifestCheckedFirst: a manifest that cannot be written is
// refused before anything is broken.
func TestInjectManifestCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "container", "populate", "tank", "fs1", "--depth", "1", "--dirs", "2", "--files", "3")
	for _, bad := range []string{"/nonexistent/m.json", t.TempDir()} {
		_, errOut, code := runCLI(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--manifest", bad)
		assert.Equal(t, code, 1)
		assert.Assert(t, strings.Contains(errOut, "nothing was injected"), errOut)
		exits(t, dir, checkClean, "container", "checker", "tank", "fs1")
	}
	manifest := filepath.Join(t.TempDir(), "m.json")
	ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--manifest", manifest)
	fi, err := os.Stat(manifest)
	assert.NilError(t, err)
	assert.Equal(t, fi.Mode().Perm(), os.FileMode(0o644))
	left, err := filepath.Glob(filepath.Join(filepath.Dir(manifest), ".m.json.*"))
	assert.NilError(t, err)
	assert.Equal(t, len(left), 0)
}

// TestCheckerRelinkName: a --name that is not one directory name is
// refused with the command line, before the checker touches anything.
func TestCheckerRelinkName(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "container", "populate", "tank", "fs1", "--depth", "1", "--dirs", "2", "--files", "3")
	ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--count", "2")
	before := ok(t, dir, "fs", "ls", "tank", "fs1")
	tests := []struct{ name, want string }{
		{"../../etc", "without / or NUL"},
		{"/", "without / or NUL"},
		{"a/b", "without / or NUL"},
		{".", "not a directory name"},
		{"..", "not a directory name"},
		{"", "is empty"},
		{strings.Repeat("x", 256), "256 bytes: at most 255"},
	}
	for _, tc := range tests {
		_, errOut, code := runCLI(t, dir, "container", "checker", "tank", "fs1", "--relink", "--name", tc.name)
		assert.Equal(t, code, exitUsage, "--name %q: %s", tc.name, errOut)
		assert.Assert(t, strings.Contains(errOut, tc.want), "--name %q: %s", tc.name, errOut)
	}
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), before, "nothing relinked, no lost+found made")
	exits(t, dir, checkRepaired, "container", "checker", "tank", "fs1", "--relink", "--name", strings.Repeat("x", 255))

	// PyDAOS orphans go into the root KV under the name too.
	ok(t, dir, "container", "create", "tank", "py1", "--type", "PYTHON")
	ok(t, dir, "container", "populate", "tank", "py1", "--dicts", "2", "--keys", "2")
	ok(t, dir, "container", "inject", "tank", "py1", "--fault", "lost-kv-entry")
	var res struct {
		LostFound string `json:"lost_found"`
		Orphans   []struct {
			OID        string `json:"oid"`
			RelinkedAs string `json:"relinked_as"`
		} `json:"orphans"`
	}
	jsonOf(t, exits(t, dir, checkRepaired, "--json", "container", "checker", "tank", "py1", "--relink", "--name", "n"), &res)
	assert.Equal(t, res.LostFound, "lost+found/n/")
	assert.Equal(t, len(res.Orphans), 1)
	assert.Equal(t, res.Orphans[0].RelinkedAs, "lost+found/n/"+res.Orphans[0].OID)
}

// TestCheckerDanglingCount: entries without an object (nearly all empty
// files) are counted by default, listed with --verbose, and always listed
// in JSON.
func TestCheckerDanglingCount(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "container", "populate", "tank", "fs1", "--depth", "1", "--dirs", "3", "--files", "30", "--min-size", "0", "--max-size", "1KiB")
	var res struct {
		Dangling []string `json:"dangling"`
	}
	jsonOf(t, exits(t, dir, checkClean, "--json", "container", "checker", "tank", "fs1"), &res)
	assert.Assert(t, len(res.Dangling) > 0, "populate makes empty files, which have no object")
	out := exits(t, dir, checkClean, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, fmt.Sprintf("entries without an object (empty, or lost): %d (--verbose lists them)\n", len(res.Dangling))), out)
	for _, d := range res.Dangling {
		assert.Assert(t, !strings.Contains(out, d), "%s listed without --verbose:\n%s", d, out)
	}
	out = exits(t, dir, checkClean, "container", "checker", "tank", "fs1", "--verbose")
	for _, d := range res.Dangling {
		assert.Assert(t, strings.Contains(out, "    "+d+"\n"), "%s not listed with --verbose:\n%s", d, out)
	}
}

// TestCheckerFixRootRelinks: what inject says a lost root needs is all it
// needs: --fix-root recreates the root and relinks what it held.
func TestCheckerFixRootRelinks(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "container", "populate", "tank", "fs1", "--top", "/d", "--depth", "1", "--dirs", "2", "--files", "3", "--min-size", "1")
	local := filepath.Join(t.TempDir(), "f")
	assert.NilError(t, os.WriteFile(local, []byte("top-level file"), 0o644))
	ok(t, dir, "fs", "put", "tank", "fs1", local, "/f")
	out := ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-root")
	assert.Assert(t, strings.Contains(out, "the checker needs: --fix-root\n"), out)

	var res struct {
		Action  string `json:"action"`
		Orphans []struct {
			Kind       string `json:"kind"`
			RelinkedAs string `json:"relinked_as"`
		} `json:"orphans"`
		Relinked int `json:"relinked"`
	}
	jsonOf(t, exits(t, dir, checkRepaired, "--json", "container", "checker", "tank", "fs1", "--fix-root"), &res)
	assert.Equal(t, res.Action, "relink")
	assert.Equal(t, res.Relinked, 2, "/d and /f, the roots of what the old root held")
	for _, o := range res.Orphans {
		if o.Kind == "file" && o.RelinkedAs != "" {
			assert.Equal(t, ok(t, dir, "fs", "cat", "tank", "fs1", o.RelinkedAs), "top-level file")
		}
	}
	exits(t, dir, checkClean, "container", "checker", "tank", "fs1")
}
