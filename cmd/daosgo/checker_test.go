package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	jsonOf(t, ok(t, dir, "--json", "container", "checker", "tank", "fs1"), &res)
	assert.Equal(t, len(res.Orphans), len(m.Orphans))
	out = ok(t, dir, "container", "checker", "tank", "fs1")
	assert.Assert(t, strings.Contains(out, "Nothing was changed"), out)

	jsonOf(t, ok(t, dir, "--json", "container", "checker", "tank", "fs1", "--relink", "--name", "run1"), &res)
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
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "--name goes with --relink"), errOut)
	_, errOut, code = runCLI(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-kv")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "does not apply"), errOut)
	ok(t, dir, "container", "create", "tank", "plain")
	_, errOut, code = runCLI(t, dir, "container", "checker", "tank", "plain")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "DER_NOTSUPPORTED"), errOut)

	// A lost superblock needs --fix-sb.
	ok(t, dir, "container", "inject", "tank", "fs1", "--fault", "lost-sb")
	_, errOut, code = runCLI(t, dir, "container", "checker", "tank", "fs1")
	assert.Equal(t, code, 1)
	assert.Assert(t, strings.Contains(errOut, "--fix-sb"), errOut)
	out = ok(t, dir, "container", "checker", "tank", "fs1", "--fix-sb")
	assert.Assert(t, strings.Contains(out, "superblock rebuilt"), out)
	assert.Equal(t, ok(t, dir, "fs", "ls", "tank", "fs1"), "d/\nlost+found/\n")
}
