package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gotest.tools/v3/assert"
)

func TestFSCommands(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	out := ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "4KiB")
	assert.Assert(t, strings.Contains(out, "of type POSIX"), out)
	out = ok(t, dir, "container", "get-prop", "tank", "fs1", "layout_type")
	assert.Assert(t, strings.Contains(out, "Layout Type: POSIX"), out)

	ok(t, dir, "fs", "mkdir", "tank", "fs1", "/a/b/c", "-p")
	ok(t, dir, "fs", "mkdir", "tank", "fs1", "/a/b", "-p") // exists: fine with -p
	_, errOut, code := runCLI(t, dir, "fs", "mkdir", "tank", "fs1", "/a/b")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_EXIST"), errOut)

	local := filepath.Join(t.TempDir(), "data.bin")
	content := strings.Repeat("daosgo ", 3000) // 21000 bytes over 6 chunks
	assert.NilError(t, os.WriteFile(local, []byte(content), 0o644))
	out = ok(t, dir, "fs", "put", "tank", "fs1", local, "/a/b")
	assert.Assert(t, strings.Contains(out, "Wrote 21000 bytes to /a/b/data.bin"), out)
	assert.Equal(t, ok(t, dir, "fs", "cat", "tank", "fs1", "/a/b/data.bin"), content)

	out = ok(t, dir, "fs", "ls", "tank", "fs1", "/a/b")
	assert.Equal(t, out, "c/\ndata.bin\n")
	out = ok(t, dir, "fs", "ls", "tank", "fs1", "/a/b", "-l")
	assert.Assert(t, strings.Contains(out, "-rw-r--r--") && strings.Contains(out, " 21000 "), out)
	var st map[string]any
	jsonOf(t, ok(t, dir, "--json", "fs", "stat", "tank", "fs1", "/a/b/data.bin"), &st)
	assert.Equal(t, st["type"], "file")
	assert.Equal(t, st["size"], float64(21000))

	_, errOut, code = runCLI(t, dir, "fs", "rm", "tank", "fs1", "/a")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "not empty"), errOut)
	ok(t, dir, "fs", "rm", "tank", "fs1", "/a", "-r")
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "")
	_, errOut, code = runCLI(t, dir, "fs", "cat", "tank", "fs1", "/a/b/data.bin")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NONEXIST"), errOut)
}

func TestPopulateCommand(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "container", "create", "tank", "py1", "--type", "PYTHON")
	ok(t, dir, "container", "create", "tank", "plain")

	var st map[string]any
	jsonOf(t, ok(t, dir, "--json", "container", "populate", "tank", "fs1", "--depth", "1", "--dirs", "2", "--files", "8",
		"--symlink-every", "4", "--max-size", "8KiB", "--top", "/data"), &st)
	assert.Equal(t, st["dirs"], float64(3))
	assert.Equal(t, st["files"], float64(24))
	assert.Equal(t, st["symlinks"], float64(6))
	out := ok(t, dir, "fs", "ls", "tank", "fs1", "/data")
	assert.Assert(t, strings.Contains(out, "dir.0000/") && strings.Contains(out, "link.000003 -> file."), out)

	out = ok(t, dir, "container", "populate", "tank", "py1", "--dicts", "3", "--keys", "5")
	assert.Assert(t, strings.Contains(out, "3 dicts, 15 keys,"), out)

	_, errOut, code := runCLI(t, dir, "container", "populate", "tank", "plain")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NOTSUPPORTED"), errOut)
	_, errOut, code = runCLI(t, dir, "container", "create", "tank", "x", "--type", "HDF5")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "POSIX and PYTHON"), errOut)
	_, errOut, code = runCLI(t, dir, "fs", "ls", "tank", "py1")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "not POSIX"), errOut)
}

// TestFSPutReplaces: a put over a file leaves exactly the new content, an
// empty put an empty file, and a destination ending in / must be a
// directory.
func TestFSPutReplaces(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	local := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(local, name)
		assert.NilError(t, os.WriteFile(p, []byte(strings.Repeat("x", size)), 0o644))
		return p
	}
	tests := []struct {
		name string
		size int
	}{{"small", 1000}, {"empty", 0}, {"large", 300000}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok(t, dir, "fs", "put", "tank", "fs1", write("big", 200000), "/f")
			out := ok(t, dir, "fs", "put", "tank", "fs1", write(tc.name, tc.size), "/f")
			assert.Equal(t, out, fmt.Sprintf("Wrote %d bytes to /f\n", tc.size))
			var st map[string]any
			jsonOf(t, ok(t, dir, "--json", "fs", "stat", "tank", "fs1", "/f"), &st)
			assert.Equal(t, st["size"], float64(tc.size))
			assert.Equal(t, len(ok(t, dir, "fs", "cat", "tank", "fs1", "/f")), tc.size)
		})
	}
	_, errOut, code := runCLI(t, dir, "fs", "put", "tank", "fs1", write("n", 10), "/new/")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "/new/ is not a directory"), errOut)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "f\n")
}

// TestFSPutNoSpace: a put that does not fit fails DER_NOSPACE and leaves
// nothing behind, neither under its name nor elsewhere.
func TestFSPutNoSpace(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "2MiB")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "64KiB")
	var before map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &before)
	local := filepath.Join(t.TempDir(), "big")
	assert.NilError(t, os.WriteFile(local, make([]byte, 5_000_000), 0o644))
	_, errOut, code := runCLI(t, dir, "fs", "put", "tank", "fs1", local, "/big")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NOSPACE"), errOut)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "")
	var after map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &after)
	assert.Equal(t, after["used_bytes"], before["used_bytes"])
}

// TestFSPutKilled kills a put half-way: the final name never shows a
// partial file; the temporary entry it leaves is what the checker reports
// and --punch removes.
func TestFSPutKilled(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "64KiB")
	local := filepath.Join(t.TempDir(), "old")
	assert.NilError(t, os.WriteFile(local, []byte("the old file"), 0o644))
	ok(t, dir, "fs", "put", "tank", "fs1", local, "/f")

	put := cliProcess(dir, "fs", "put", "tank", "fs1", "-", "/f")
	stdin, err := put.StdinPipe()
	assert.NilError(t, err)
	assert.NilError(t, put.Start())
	defer put.Process.Kill()
	_, err = stdin.Write(make([]byte, 256<<10)) // four chunks; the put then waits for more
	assert.NilError(t, err)
	var temp string
	for deadline := time.Now().Add(20 * time.Second); temp == ""; {
		assert.Assert(t, time.Now().Before(deadline), "the put wrote nothing under a temporary name")
		var ls []map[string]any
		jsonOf(t, ok(t, dir, "--json", "fs", "ls", "tank", "fs1"), &ls)
		for _, e := range ls {
			if name := e["name"].(string); name != "f" && e["size"] == float64(256<<10) {
				temp = name
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	assert.NilError(t, put.Process.Signal(syscall.SIGKILL))
	put.Wait()
	assert.Equal(t, ok(t, dir, "fs", "cat", "tank", "fs1", "/f"), "the old file")

	assert.Assert(t, strings.HasPrefix(temp, ".daosgo-put."), temp)

	out, _, code := runCLI(t, dir, "container", "checker", "tank", "fs1")
	assert.Equal(t, code, checkUnrepaired, out)
	assert.Assert(t, strings.Contains(out, "/"+temp), out)
	out, _, code = runCLI(t, dir, "container", "checker", "tank", "fs1", "--punch")
	assert.Equal(t, code, checkRepaired, out)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "f\n")
	_, _, code = runCLI(t, dir, "container", "checker", "tank", "fs1")
	assert.Equal(t, code, checkClean)
}

// TestFSLinkAndRecursiveList: fs ln -s makes symlinks that fs cat follows;
// fs ls -r lists the whole tree by path, without following symlinks.
func TestFSLinkAndRecursiveList(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	ok(t, dir, "fs", "mkdir", "tank", "fs1", "/a/b", "-p")
	local := filepath.Join(t.TempDir(), "f")
	assert.NilError(t, os.WriteFile(local, []byte("data"), 0o644))
	ok(t, dir, "fs", "put", "tank", "fs1", local, "/a/b/f")

	var made map[string]string
	jsonOf(t, ok(t, dir, "--json", "fs", "ln", "tank", "fs1", "-s", "b/f", "/a/rel"), &made)
	assert.DeepEqual(t, made, map[string]string{"path": "/a/rel", "target": "b/f"})
	ok(t, dir, "fs", "ln", "tank", "fs1", "-s", "/a", "/top")
	assert.Equal(t, ok(t, dir, "fs", "cat", "tank", "fs1", "/a/rel"), "data")
	assert.Equal(t, ok(t, dir, "fs", "cat", "tank", "fs1", "/top/b/f"), "data")

	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1", "-r"), "a/\na/b/\na/b/f\na/rel -> b/f\ntop -> /a\n")
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1", "/a", "-r"), "b/\nb/f\nrel -> b/f\n")
	var ls []map[string]any
	jsonOf(t, ok(t, dir, "--json", "fs", "ls", "tank", "fs1", "/a", "-r"), &ls)
	assert.Equal(t, len(ls), 3)
	assert.Equal(t, ls[1]["name"], "b/f")
	assert.Equal(t, ls[1]["path"], "/a/b/f")
	assert.Equal(t, ls[1]["size"], float64(4))

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fs", "ln", "tank", "fs1", "/a", "/hard"}, exitUsage, "-s is required: DFS has symbolic links only"},
		{[]string{"fs", "ln", "tank", "fs1", "-s", "", "/empty"}, exitUsage, "target is empty"},
		{[]string{"fs", "ln", "tank", "fs1", "-s", "x", "/a/rel"}, exitFailed, "/a/rel already exists: DER_EXIST"},
		{[]string{"fs", "ln", "tank", "fs1", "-s", "x", "/nosuch/l"}, exitFailed, "DER_NONEXIST"},
	} {
		_, errOut, code := runCLI(t, dir, tc.args...)
		assert.Equal(t, code, tc.code, "%v: %s", tc.args, errOut)
		assert.Assert(t, strings.Contains(errOut, tc.want), "%v: %s", tc.args, errOut)
	}
}

// TestHelpShowsEveryCommand: the commands the README documents are in
// --help, set-rebuild saying it is the embedded engine's.
func TestHelpShowsEveryCommand(t *testing.T) {
	out, _, code := runCLI(t, t.TempDir(), "pool", "--help")
	assert.Equal(t, code, 0)
	assert.Assert(t, strings.Contains(out, "pool set-rebuild    Embedded engine only"), out)
	out, _, _ = runCLI(t, t.TempDir(), "fs", "--help")
	for _, cmd := range []string{"fs ln", "fs ls"} {
		assert.Assert(t, strings.Contains(out, cmd), out)
	}
}

// TestFSPutConcurrentProcesses: two processes putting different files to
// one path both succeed, and the file is then one of them, whole.
func TestFSPutConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "64KiB")
	local := t.TempDir()
	contents := []string{strings.Repeat("A", 3<<20), strings.Repeat("B", 2<<20)}
	var puts []*exec.Cmd
	for i, c := range contents {
		src := filepath.Join(local, fmt.Sprint(i))
		assert.NilError(t, os.WriteFile(src, []byte(c), 0o644))
		puts = append(puts, cliProcess(dir, "fs", "put", "tank", "fs1", src, "/shared"))
	}
	for _, p := range puts {
		assert.NilError(t, p.Start())
	}
	for _, p := range puts {
		assert.NilError(t, p.Wait())
	}
	got := ok(t, dir, "fs", "cat", "tank", "fs1", "/shared")
	assert.Assert(t, got == contents[0] || got == contents[1], "a mix of %d bytes", len(got))
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "shared\n")
}
