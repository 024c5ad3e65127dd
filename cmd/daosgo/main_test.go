package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/mwc/dfs"
	"gotest.tools/v3/assert"
)

// daosgo runs the CLI in-process on an embedded engine rooted in dir.
func runCLI(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"--engine", "embedded:" + dir}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and returns its output.
func ok(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, dir, args...)
	assert.Equal(t, code, 0, "daosgo %v: %s", args, errOut)
	return out
}

func jsonOf(t *testing.T, s string, v any) {
	t.Helper()
	assert.NilError(t, json.Unmarshal([]byte(s), v), "not JSON: %s", s)
}

func TestPoolLifecycle(t *testing.T) {
	dir := t.TempDir()
	out := ok(t, dir, "pool", "create", "tank", "--size", "64MiB", "--properties", "space_rb:5")
	assert.Assert(t, strings.Contains(out, "label tank"), out)

	var pools []map[string]string
	jsonOf(t, ok(t, dir, "--json", "pool", "list"), &pools)
	assert.Equal(t, len(pools), 1)
	assert.Equal(t, pools[0]["label"], "tank")

	out = ok(t, dir, "pool", "get-prop", "tank")
	assert.Assert(t, strings.Contains(out, "Pool version: 4\n"), out)
	assert.Assert(t, strings.Contains(out, "Pool status: Online\n"), out)
	assert.Assert(t, strings.Contains(out, "Rebuild space ratio: 5\n"), out)

	ok(t, dir, "pool", "set-prop", "tank", "space_rb:9")
	var props []map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "get-prop", "tank", "space_rb", "upgrade_status"), &props)
	assert.Equal(t, len(props), 2)
	assert.Equal(t, props[0]["value"], float64(9))
	assert.Equal(t, props[1]["value"], "Online")

	var info map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &info)
	assert.Equal(t, info["label"], "tank")
	assert.Equal(t, info["total_bytes"], float64(64<<20))
	assert.Equal(t, info["layout_version"], float64(4))
	assert.Equal(t, info["status"], "Online")

	out = ok(t, dir, "pool", "query", "tank")
	assert.Assert(t, strings.Contains(out, "Pool version 4"), out)

	out = ok(t, dir, "pool", "evict", "tank")
	assert.Assert(t, strings.Contains(out, "revoked"), out)
	ok(t, dir, "pool", "destroy", "tank")
	out = ok(t, dir, "pool", "list")
	assert.Assert(t, strings.Contains(out, "No pools"), out)
}

func TestContainerLifecycle(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "64M")
	out := ok(t, dir, "container", "create", "tank", "posix1", "--properties", "layout_type:POSIX,layout_version:2")
	assert.Assert(t, strings.Contains(out, "labelled posix1"), out)
	ok(t, dir, "cont", "create", "tank") // no label

	var conts []map[string]string
	jsonOf(t, ok(t, dir, "--json", "container", "list", "tank"), &conts)
	assert.Equal(t, len(conts), 2)

	out = ok(t, dir, "container", "query", "tank", "posix1")
	assert.Assert(t, strings.Contains(out, "Container Type : POSIX"), out)
	var info map[string]any
	jsonOf(t, ok(t, dir, "--json", "container", "query", "tank", "posix1"), &info)
	assert.Equal(t, info["layout_type"], "POSIX")

	out = ok(t, dir, "container", "get-prop", "tank", "posix1", "layout_type", "layout_version")
	assert.Equal(t, out, "Properties for container posix1\nLayout Type: POSIX\nLayout Version: 2\n")

	ok(t, dir, "container", "destroy", "tank", "posix1")
	_, errOut, code := runCLI(t, dir, "container", "query", "tank", "posix1")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NONEXIST"), errOut)
}

func TestErrorsNameTheRequestAndExitNonZero(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "1M")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pool", "create", "tank"}, 1, `daosgo pool create: pool label "tank" is already used: DER_EXIST(-1004)`},
		{[]string{"pool", "create", "bad label"}, 2, "DER_INVAL"},
		{[]string{"pool", "create", "x", "--size", "12Q"}, 2, `unknown unit "Q"`},
		{[]string{"pool", "create", "x", "--size", "-1"}, 2, `size "-1": a size cannot be negative`},
		{[]string{"pool", "create", "x", "--size", "1e30"}, 2, `size "1e30": want a number of bytes`},
		{[]string{"pool", "create", "x", "--size", "99999999999999999999"}, 2, "is too large: at most 9223372036854775807 bytes"},
		{[]string{"pool", "create", "x", "--size", "--uuid"}, 2, `expected a size such as 512MiB or 4G but got "--uuid"`},
		{[]string{"pool", "create", "x", "--uuid", "nope"}, 2, `--uuid: "nope" is not a UUID`},
		{[]string{"pool", "query", "nosuch"}, 1, `daosgo pool query: pool "nosuch": DER_NONEXIST(-1005)`},
		{[]string{"pool", "get-prop", "tank", "colour"}, 2, `unknown property "colour"`},
		{[]string{"pool", "set-prop", "tank", "upgrade_status:1"}, 1, "DER_NO_PERM"},
		{[]string{"pool", "set-prop", "tank", "space_rb"}, 2, "want name:value"},
		{[]string{"container", "create", "tank", "c", "--properties", "layout_type:FORTRAN"}, 2, "unknown container type"},
		{[]string{"container", "destroy", "tank", "nosuch"}, 1, "DER_NONEXIST"},
		{[]string{"pool", "frobnicate"}, 2, "unexpected argument frobnicate"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, dir, tc.args...)
			assert.Equal(t, code, tc.code, errOut)
			assert.Assert(t, strings.Contains(errOut, tc.want), "stderr: %s", errOut)
		})
	}
}

func TestJSONErrors(t *testing.T) {
	dir := t.TempDir()
	out, _, code := runCLI(t, dir, "--json", "pool", "query", "nosuch")
	assert.Equal(t, code, 1)
	var e map[string]any
	jsonOf(t, out, &e)
	assert.Equal(t, e["status"], float64(-1005))
	assert.Equal(t, e["code_name"], "DER_NONEXIST")
}

func TestEngineChoice(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"--engine", "daos", "pool", "list"}, &out, &errOut)
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut.String(), "-tags daos"), errOut.String())
	code = run([]string{"--engine", "ceph", "pool", "list"}, &out, &errOut)
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut.String(), "unknown backend"), errOut.String())
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"4G": 4e9, "4GB": 4e9, "4GiB": 4 << 30, "512": 512, "1.5K": 1500, "2 MiB": 2 << 20,
		".5K": 500, "9223372036854775807": 1<<63 - 1, "7EiB": 7 << 60, "4.000000001G": 4000000001} {
		got, err := parseSize(in)
		assert.NilError(t, err, in)
		assert.Equal(t, got, want, in)
	}
	tests := []struct{ in, want string }{
		{"", "want a number"}, {"G", "want a number"}, {"1X", `unknown unit "X"`},
		{"-1", "cannot be negative"}, {"-1G", "cannot be negative"},
		{"1e30", "want a number"}, {"inf", "want a number"}, {"NaN", "want a number"}, {"0x10", "want a number"},
		{"9223372036854775808", "too large: at most 9223372036854775807 bytes"},
		{"99999999999999999999", "too large"}, {"8EiB", "too large"},
	}
	for _, tc := range tests {
		_, err := parseSize(tc.in)
		assert.ErrorContains(t, err, tc.want, tc.in)
	}
	for n, want := range map[uint64]string{999: "999 B", 1000: "1.0 kB", 1500: "1.5 kB", 1023: "1.0 kB", 1024: "1.0 KiB",
		4e9: "4.0 GB", 1 << 30: "1.0 GiB", 64 << 20: "64.0 MiB", 3 << 29: "1.5 GiB", 1<<30 + 1: "1.1 GB", 1<<63 - 1: "9.2 EB"} {
		assert.Equal(t, humanSize(n), want, n)
	}
}

// TestCreatePOSIXNoSpace: a POSIX container whose namespace does not fit
// is not left behind holding its label.
func TestCreatePOSIXNoSpace(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "100")
	for range 2 {
		_, errOut, code := runCLI(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
		assert.Equal(t, code, 1)
		assert.Assert(t, strings.Contains(errOut, "DER_NOSPACE"), errOut)
	}
	assert.Equal(t, ok(t, dir, "container", "list", "tank"), "No containers in pool tank\n")
	var info map[string]any
	jsonOf(t, ok(t, dir, "--json", "pool", "query", "tank"), &info)
	assert.Equal(t, info["used_bytes"], float64(0))
}

// TestDamagedPoolFiles: a pool file that cannot be read is listed with the
// reason instead of vanishing, and destroy --force removes it.
func TestDamagedPoolFiles(t *testing.T) {
	damages := []struct {
		name   string
		damage func(path string) error
		reason string
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 1000) }, "malformed"},
		{"overwritten", func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte("garbage!"), 4096), 0o644) }, "not a database"},
		{"emptied", func(p string) error { return os.Truncate(p, 0) }, "no such table"},
	}
	for _, tc := range damages {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ok(t, dir, "pool", "create", "good", "--size", "64M")
			var created map[string]string
			jsonOf(t, ok(t, dir, "--json", "pool", "create", "bad", "--size", "64M"), &created)
			id := created["uuid"]
			assert.NilError(t, tc.damage(filepath.Join(dir, id+".pool")))

			var pools []map[string]string
			jsonOf(t, ok(t, dir, "--json", "pool", "list"), &pools)
			assert.Equal(t, len(pools), 2)
			assert.Equal(t, pools[0]["label"], "good")
			assert.Equal(t, pools[1]["uuid"], id)
			assert.Assert(t, strings.Contains(pools[1]["damage"], tc.reason), pools[1]["damage"])
			out := ok(t, dir, "pool", "list")
			assert.Assert(t, strings.Contains(out, id+"  (cannot be read: "), out)

			_, errOut, code := runCLI(t, dir, "pool", "query", "bad")
			assert.Equal(t, code, 1)
			assert.Assert(t, strings.Contains(errOut, "cannot be read and may hold it: "+id), errOut)
			_, errOut, code = runCLI(t, dir, "pool", "destroy", id)
			assert.Equal(t, code, 1)
			assert.Assert(t, strings.Contains(errOut, "destroy it with force"), errOut)
			ok(t, dir, "pool", "destroy", id, "--force")
			jsonOf(t, ok(t, dir, "--json", "pool", "list"), &pools)
			assert.Equal(t, len(pools), 1)
			entries, err := os.ReadDir(dir)
			assert.NilError(t, err)
			for _, e := range entries {
				assert.Assert(t, !strings.HasPrefix(e.Name(), id), "%s left behind", e.Name())
			}
		})
	}
}

// TestInputRefusedUpFront: values out of their range are refused with the
// command line (exit 2), naming what is accepted, and nothing is made.
func TestInputRefusedUpFront(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "pool", "create", "tank", "--size", "256M")
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX")
	local := filepath.Join(t.TempDir(), "f")
	assert.NilError(t, os.WriteFile(local, []byte("x"), 0o644))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"container", "create", "tank", "c", "--type", "POSIX", "--chunk-size", "0"}, "--chunk-size 0: want 4KiB to 1GiB"},
		{[]string{"container", "create", "tank", "c", "--type", "POSIX", "--chunk-size", "1"}, "--chunk-size 1: want 4KiB to 1GiB"},
		{[]string{"container", "create", "tank", "c", "--type", "POSIX", "--chunk-size", "3"}, "--chunk-size 3: want 4KiB to 1GiB"},
		{[]string{"container", "create", "tank", "c", "--type", "POSIX", "--chunk-size", "2GiB"}, "want 4KiB to 1GiB"},
		{[]string{"container", "create", "tank", "c", "--chunk-size", "64KiB"}, "--chunk-size goes with --type POSIX"},
		{[]string{"container", "create", "tank", ""}, `label "" must be 1 to 127 characters`},
		{[]string{"container", "create", "tank", "bad label"}, "may hold only letters"},
		{[]string{"container", "create", "tank", "c", "--type", "FORTRAN"}, `unknown container type "FORTRAN"`},
		{[]string{"container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--count", "0"}, "--count 0: want 1 to 1000000"},
		{[]string{"container", "inject", "tank", "fs1", "--fault", "lost-dentry", "--count", "-1"}, "--count -1: want 1 to 1000000"},
		{[]string{"container", "inject", "tank", "fs1", "--fault", "lost-everything"}, `--fault "lost-everything": want one of`},
		{[]string{"container", "checker", "tank", "fs1", "--workers", "0"}, "--workers 0: want 1 to 1024"},
		{[]string{"container", "populate", "tank", "fs1", "--depth", "-1"}, "--depth -1: want 0 to 32"},
		{[]string{"container", "populate", "tank", "fs1", "--depth", "20", "--dirs", "10"}, "makes more than 100000000 entries"},
		{[]string{"container", "populate", "tank", "fs1", "--min-size", "2KiB", "--max-size", "1KiB"}, "--min-size 2048 is larger than --max-size 1024"},
		{[]string{"container", "populate", "tank", "fs1", "--max-size", "-1"}, "cannot be negative"},
		{[]string{"pool", "set-prop", "tank", "reclaim:99"}, `property reclaim: "99" is not one of disabled (0), lazy (1), time (4)`},
		{[]string{"pool", "set-prop", "tank", "space_rb:200"}, "property space_rb: 200 is out of range: want 0 to 100"},
		{[]string{"pool", "set-prop", "tank", "ec_cell_sz:3"}, "want 1024 to 1073741824, a multiple of 1024"},
		{[]string{"pool", "create", "x", "--properties", "checkpoint_thresh:90"}, "want 10 to 75"},
		{[]string{"container", "create", "tank", "c", "--properties", "rd_fac:5"}, "property rd_fac: 5 is out of range: want 0 to 4"},
		{[]string{"pool", "create", "x", "--uuid", "not-a-uuid"}, `"not-a-uuid" is not a UUID`},
		{[]string{"pool", "create", "x", "--uuid", "00000000-0000-0000-0000-000000000000"}, "the nil UUID"},
		{[]string{"pool", "create", "x", "--size", "0"}, "--size 0: want 1 byte to 8 EiB"},
		{[]string{"fs", "put", "tank", "fs1", local, "/f", "--mode", "999"}, `mode "999": want octal permissions from 0 to 7777`},
		{[]string{"fs", "mkdir", "tank", "fs1", "/d", "--mode", "rwx"}, `mode "rwx"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, dir, tc.args...)
			assert.Equal(t, code, exitUsage, errOut)
			assert.Assert(t, strings.Contains(errOut, tc.want), "stderr: %s", errOut)
		})
	}
	var conts []map[string]string
	jsonOf(t, ok(t, dir, "--json", "container", "list", "tank"), &conts)
	assert.Equal(t, len(conts), 1)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "")
	out := ok(t, dir, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, "orphans:          0 (none)"), out)

	// What get-prop prints, set-prop takes: a property the system sets is
	// refused as such, whatever its value looks like.
	_, errOut, code := runCLI(t, dir, "pool", "set-prop", "tank", "upgrade_status:Online")
	assert.Equal(t, code, exitFailed)
	assert.Assert(t, strings.Contains(errOut, "upgrade_status is set by the system and cannot be set: DER_NO_PERM"), errOut)
	// Enumerations by name, modes in octal.
	ok(t, dir, "pool", "set-prop", "tank", "reclaim:lazy")
	out = ok(t, dir, "pool", "get-prop", "tank", "reclaim")
	assert.Assert(t, strings.Contains(out, "Reclaim strategy: lazy"), out)
	ok(t, dir, "fs", "put", "tank", "fs1", local, "/f", "--mode", "600")
	var st map[string]any
	jsonOf(t, ok(t, dir, "--json", "fs", "stat", "tank", "fs1", "/f"), &st)
	assert.Equal(t, st["mode"], float64(dfs.ModeRegular|0o600))
}

// TestREADMEUsingTheCLI runs the README's first example as written: it
// must work, and make a container the fs commands can use. The README
// must also stand on its own (no pointer outside the repository) and warn
// that the first build takes minutes.
func TestREADMEUsingTheCLI(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	assert.NilError(t, err)
	readme := string(raw)
	assert.Assert(t, !strings.Contains(readme, "../shared/"), "the README points outside the repository")
	assert.Assert(t, strings.Contains(readme, "The first build takes minutes"))

	_, section, found := strings.Cut(readme, "## Using the CLI\n\n```sh\n")
	assert.Assert(t, found)
	block, _, _ := strings.Cut(section, "```")
	dir := t.TempDir()
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		args := strings.Fields(cmd)
		if len(args) == 0 || args[0] != "bin/daosgo" {
			continue
		}
		ok(t, dir, args[1:]...)
		ran++
	}
	assert.Assert(t, ran >= 5, "ran %d commands of the example", ran)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "posix1"), "")
}
