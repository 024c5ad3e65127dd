package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

// oneDocument decodes out as exactly one JSON document with no null in it.
func oneDocument(t *testing.T, args []string, out string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var v any
	assert.NilError(t, dec.Decode(&v), "daosgo %v: not JSON: %q", args, out)
	var more any
	assert.Equal(t, dec.Decode(&more), io.EOF, "daosgo %v: more than one document: %q", args, out)
	assert.Assert(t, !strings.Contains(out, "null"), "daosgo %v: null in %s", args, out)
	return v
}

// TestJSONEverywhere: under --json every command prints exactly one JSON
// document, errors and refused command lines included, with empty lists
// as [] and the same spelling of a field across commands.
func TestJSONEverywhere(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(t.TempDir(), "bin")
	content := []byte("binary\x00\xff\nbytes")
	assert.NilError(t, os.WriteFile(local, content, 0o644))
	steps := []struct {
		args  []string
		code  int
		check func(t *testing.T, v any)
	}{
		{[]string{"pool", "list"}, 0, func(t *testing.T, v any) { assert.DeepEqual(t, v, []any{}) }},
		{[]string{"pool", "create", "tank", "--size", "256M"}, 0, nil},
		{[]string{"pool", "query", "tank"}, 0, func(t *testing.T, v any) {
			m := v.(map[string]any)
			assert.Equal(t, m["upgrade_status"], "Online") // the word get-prop prints
		}},
		{[]string{"pool", "get-prop", "tank", "upgrade_status"}, 0, func(t *testing.T, v any) {
			assert.Equal(t, v.([]any)[0].(map[string]any)["value"], "Online")
		}},
		{[]string{"container", "create", "tank", "fs1", "--type", "POSIX"}, 0, func(t *testing.T, v any) {
			assert.Equal(t, v.(map[string]any)["layout_type"], "POSIX")
		}},
		{[]string{"container", "create", "tank", "py1", "--type", "PYTHON"}, 0, nil},
		{[]string{"container", "create", "tank", "plain"}, 0, func(t *testing.T, v any) {
			assert.Equal(t, v.(map[string]any)["layout_type"], "unknown")
		}},
		{[]string{"container", "query", "tank", "fs1"}, 0, nil},
		{[]string{"fs", "mkdir", "tank", "fs1", "/a/b", "-p"}, 0, func(t *testing.T, v any) {
			assert.DeepEqual(t, v.(map[string]any)["created"], []any{"/a", "/a/b"})
		}},
		{[]string{"fs", "mkdir", "tank", "fs1", "/a", "-p"}, 0, func(t *testing.T, v any) {
			assert.DeepEqual(t, v.(map[string]any)["created"], []any{})
		}},
		{[]string{"fs", "put", "tank", "fs1", local, "/a/b/f"}, 0, nil},
		{[]string{"fs", "cat", "tank", "fs1", "/a/b/f"}, 0, func(t *testing.T, v any) {
			data, err := base64.StdEncoding.DecodeString(v.(map[string]any)["data"].(string))
			assert.NilError(t, err)
			assert.Assert(t, bytes.Equal(data, content))
		}},
		{[]string{"fs", "ls", "tank", "fs1", "/a/b/f"}, 0, nil},
		{[]string{"fs", "ls", "tank", "fs1", "/a/b"}, 0, nil},
		{[]string{"fs", "stat", "tank", "fs1", "/a"}, 0, nil},
		{[]string{"fs", "rm", "tank", "fs1", "/a", "-r"}, 0, func(t *testing.T, v any) {
			assert.Equal(t, v.(map[string]any)["removed"], "/a")
		}},
		{[]string{"fs", "ls", "tank", "fs1"}, 0, func(t *testing.T, v any) { assert.DeepEqual(t, v, []any{}) }},
		{[]string{"container", "populate", "tank", "py1", "--dicts", "2", "--keys", "3"}, 0, nil},
		{[]string{"container", "checker", "tank", "fs1"}, checkClean, func(t *testing.T, v any) {
			m := v.(map[string]any)
			assert.DeepEqual(t, m["orphans"], []any{})
			assert.DeepEqual(t, m["dangling"], []any{})
		}},
		{[]string{"container", "checker", "tank", "py1"}, checkClean, func(t *testing.T, v any) {
			m := v.(map[string]any)
			assert.DeepEqual(t, m["orphans"], []any{})
			assert.DeepEqual(t, m["dangling"], []any{})
		}},
		{[]string{"container", "inject", "tank", "py1", "--fault", "lost-kv-entry"}, 0, func(t *testing.T, v any) {
			assert.DeepEqual(t, v.(map[string]any)["dangling"], []any{})
		}},
		{[]string{"container", "list", "tank"}, 0, nil},
		{[]string{"container", "get-prop", "tank", "fs1", "layout_type"}, 0, nil},
		{[]string{"container", "destroy", "tank", "plain"}, 0, nil},
		{[]string{"pool", "set-prop", "tank", "space_rb:5"}, 0, nil},
		{[]string{"pool", "evict", "tank"}, 0, nil},
		// Errors, and command lines refused before anything is done.
		{[]string{"pool", "query", "nosuch"}, exitFailed, func(t *testing.T, v any) {
			assert.Equal(t, v.(map[string]any)["code_name"], "DER_NONEXIST")
		}},
		{[]string{"fs", "cat", "tank", "fs1", "/nosuch"}, exitFailed, nil},
		{[]string{"fs", "put", "tank", "fs1", "/nonexistent/local", "/f"}, exitFailed, func(t *testing.T, v any) {
			// A local error gets the code DAOS uses for the same failure.
			assert.Equal(t, v.(map[string]any)["code_name"], "DER_NONEXIST")
		}},
		{[]string{"container", "checker", "tank", "nosuch"}, checkOperational, nil},
		{[]string{"pool", "frobnicate"}, exitUsage, func(t *testing.T, v any) {
			m := v.(map[string]any)
			assert.Equal(t, m["code_name"], "DER_INVAL")
			assert.Assert(t, strings.Contains(m["error"].(string), "frobnicate"), m["error"])
		}},
		{[]string{"pool", "create", "x", "--size", "-1"}, exitUsage, nil},
		{[]string{"container", "checker", "tank", "fs1", "--punch", "--relink"}, exitUsage, nil},
		{[]string{"pool", "destroy", "tank", "--force"}, 0, nil},
	}
	for _, st := range steps {
		args := append([]string{"--json"}, st.args...)
		out, errOut, code := runCLI(t, dir, args...)
		assert.Equal(t, code, st.code, "daosgo %v: %s", args, errOut)
		assert.Equal(t, errOut, "", "daosgo %v: nothing on stderr under --json", args)
		v := oneDocument(t, args, out)
		if st.check != nil {
			st.check(t, v)
		}
	}
}
