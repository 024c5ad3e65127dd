package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

// TestMessagesSayWhatHappened: sizes, headings, paths and names are
// printed as what they are.
func TestMessagesSayWhatHappened(t *testing.T) {
	dir := t.TempDir()
	out := ok(t, dir, "pool", "create", "tank", "--size", "1GiB")
	assert.Assert(t, strings.Contains(out, "size 1.0 GiB"), out)
	ok(t, dir, "container", "create", "tank", "fs1", "--type", "POSIX", "--chunk-size", "4KiB")

	t.Run("PyDAOS orphan sizes are bytes", func(t *testing.T) {
		ok(t, dir, "container", "create", "tank", "py1", "--type", "PYTHON")
		ok(t, dir, "container", "populate", "tank", "py1", "--dicts", "1", "--keys", "4")
		ok(t, dir, "container", "inject", "tank", "py1", "--fault", "lost-kv")
		var res struct {
			Orphans []struct {
				Kind  string `json:"kind"`
				Bytes uint64 `json:"bytes"`
			} `json:"orphans"`
		}
		jsonOf(t, exits(t, dir, checkUnrepaired, "--json", "container", "checker", "tank", "py1"), &res)
		assert.Equal(t, len(res.Orphans), 1)
		assert.Equal(t, res.Orphans[0].Kind, "dict")
		// populate's values are 8 to 256 bytes.
		assert.Assert(t, res.Orphans[0].Bytes >= 4*8 && res.Orphans[0].Bytes <= 4*256, "%d bytes for 4 values", res.Orphans[0].Bytes)
	})

	t.Run("a superblock rebuild is not a report", func(t *testing.T) {
		ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-sb")
		out := exits(t, dir, checkRepaired, "container", "checker", "tank", "fs1", "--fix-sb", "--verify")
		first, _, _ := strings.Cut(out, "\n")
		assert.Equal(t, first, "Checked POSIX container fs1: superblock rebuilt")
		assert.Assert(t, !strings.Contains(out, "left in place") && !strings.Contains(out, "Nothing was changed"), out)
		// The pool has record checksums: nothing is skipped for want of them.
		assert.Assert(t, !strings.Contains(out, "skipped"), out)
		assert.Assert(t, strings.Contains(out, "checksum errors:  0"), out)
	})

	t.Run("mkdir names the whole path", func(t *testing.T) {
		ok(t, dir, "fs", "mkdir", "tank", "fs1", "/a/b", "-p")
		for _, p := range []string{"/a", "a/b/"} {
			_, errOut, code := runCLI(t, dir, "fs", "mkdir", "tank", "fs1", p)
			assert.Equal(t, code, exitFailed)
			want := "daosgo fs mkdir: " + filepath.Clean("/"+p) + " already exists: DER_EXIST"
			assert.Assert(t, strings.HasPrefix(errOut, want), errOut)
		}
	})

	t.Run("names with a newline stay on one line", func(t *testing.T) {
		local := filepath.Join(t.TempDir(), "f")
		assert.NilError(t, os.WriteFile(local, []byte("x"), 0o644))
		ok(t, dir, "fs", "put", "tank", "fs1", local, "/a/two\nlines")
		assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1", "/a"), "b/\n\"two\\nlines\"\n")
	})

	t.Run("populate names the dict that did not fit", func(t *testing.T) {
		ok(t, dir, "pool", "create", "small", "--size", "20K")
		ok(t, dir, "container", "create", "small", "py", "--type", "PYTHON")
		_, errOut, code := runCLI(t, dir, "container", "populate", "small", "py", "--dicts", "20", "--keys", "64")
		assert.Equal(t, code, exitFailed)
		assert.Assert(t, regexp.MustCompile(`populate dict\.\d+: (key\.\d+: )?pool small: .*DER_NOSPACE`).MatchString(errOut), errOut)
	})
}
