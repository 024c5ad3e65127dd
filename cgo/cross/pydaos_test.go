//go:build daos

package cross

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/populate"
	"github.com/daosgo/daosgo/mwc/pydaos"
	"gotest.tools/v3/assert"
)

// pyScript does what a PyDAOS user does, as told on standard input (JSON),
// and prints what it read on a line starting RESULT. Values travel as hex.
const pyScript = `
import json, sys
import pydaos

req = json.load(sys.stdin)
op, out = req["op"], {}
if op == "write":
    cont = pydaos.DCont(req["pool"], req["cont"])
    for name, items in req["dicts"].items():
        cont.dict(name, {k: bytes.fromhex(v) for k, v in items.items()})
    for name in req["arrays"]:
        try:
            cont.array(name)  # PyDAOS 2.8: the root entry, then NotImplementedError
        except NotImplementedError:
            pass
elif op == "read":
    cont = pydaos.DCont(req["pool"], req["cont"], open_mode="RO")
    for name in req["names"]:
        try:
            obj = cont.get(name)
        except pydaos.DObjNotFound:
            out[name] = {"kind": "missing"}
            continue
        except NotImplementedError:
            out[name] = {"kind": "array"}  # DArray cannot be opened
            continue
        items = {}
        for k, v in obj.dump().items():
            items[k if isinstance(k, str) else k.decode()] = v.hex()
        out[name] = {"kind": "dict", "items": items}
elif op == "check":
    try:
        pydaos.check(req["pool"], req["cont"])
    except pydaos.PyDError as e:
        out["error"] = {"kind": str(e)}
sys.stdout.flush()
print("RESULT " + json.dumps(out), flush=True)
`

var (
	pythonOnce sync.Once
	pythonErr  error
)

// python runs pyScript with PyDAOS; it skips the test when PyDAOS cannot
// be imported. It returns the script's result and the other lines it
// printed (the PyDAOS checker's, for one).
func python(t *testing.T, req map[string]any) (map[string]pyObj, []string) {
	t.Helper()
	py := os.Getenv("DAOSGO_PYTHON")
	if py == "" {
		py = "python3"
	}
	pythonOnce.Do(func() {
		if out, err := exec.Command(py, "-c", "import pydaos").CombinedOutput(); err != nil {
			pythonErr = fmt.Errorf("%s cannot import pydaos (set PYTHONPATH, or DAOSGO_PYTHON): %v: %s", py, err, out)
		}
	})
	if pythonErr != nil {
		t.Skip(pythonErr)
	}
	req["pool"] = poolLabel
	in, err := json.Marshal(req)
	assert.NilError(t, err)
	cmd := exec.Command(py, "-c", pyScript)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	assert.NilError(t, cmd.Run(), "python %s: %s", req["op"], stderr.String())
	var res map[string]pyObj
	var other []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if r, ok := strings.CutPrefix(line, "RESULT "); ok {
			assert.NilError(t, json.Unmarshal([]byte(r), &res))
		} else if line != "" {
			other = append(other, line)
		}
	}
	return res, other
}

// pyObj is what PyDAOS read of a root entry: its kind and a dict's items
// (values in hex).
type pyObj struct {
	Kind  string            `json:"kind"`
	Items map[string]string `json:"items,omitempty"`
}

// pydaosRelinked returns the names PyDAOS's own checker (pydaos.check)
// relinked orphans under: it has no dry run, it prints "Adding leaked
// Dictionary back as: hi.lo" for each.
func pydaosRelinked(t *testing.T, cont string) []string {
	t.Helper()
	out, err := pydaosCheck(t, cont)
	assert.Equal(t, err, "", "pydaos.check")
	return out
}

// pydaosCheck runs PyDAOS's checker and returns what it relinked, or its
// error.
func pydaosCheck(t *testing.T, cont string) ([]string, string) {
	t.Helper()
	res, lines := python(t, map[string]any{"op": "check", "cont": cont})
	if e, ok := res["error"]; ok {
		return nil, e.Kind
	}
	out := []string{}
	for _, l := range lines {
		if i := strings.Index(l, " back as: "); i > 0 && strings.HasPrefix(l, "Adding leaked") {
			out = append(out, l[i+len(" back as: "):])
		}
	}
	sort.Strings(out)
	return out, ""
}

// daosgoDicts reads every root entry with daosgo over the libdaos
// backend: what PyDAOS would read, in the same form.
func daosgoDicts(t *testing.T, p daosgo.Pool, cont string) map[string]pyObj {
	t.Helper()
	c, err := p.OpenContainer(ctx, cont, daosgo.ContRO)
	assert.NilError(t, err)
	defer func() { assert.NilError(t, c.Close(ctx)) }()
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRO)
	assert.NilError(t, err)
	defer pc.Close()
	names, err := pc.AllNames(ctx)
	assert.NilError(t, err)
	out := map[string]pyObj{}
	for _, n := range names {
		rec, err := pc.Lookup(ctx, n)
		assert.NilError(t, err, n)
		if rec.Kind == pydaos.Array {
			assert.Equal(t, rec.OID.Type(), daosgo.OTArray, n)
			out[n] = pyObj{Kind: "array"}
			continue
		}
		d, err := pc.OpenDict(ctx, rec.OID)
		assert.NilError(t, err, n)
		keys, err := d.Keys(ctx)
		assert.NilError(t, err, n)
		items := map[string]string{}
		for _, k := range keys {
			v, err := d.Get(ctx, k)
			assert.NilError(t, err, "%s[%s]", n, k)
			items[k] = hex.EncodeToString(v)
		}
		assert.NilError(t, d.Close())
		out[n] = pyObj{Kind: "dict", Items: items}
	}
	return out
}

// pyDicts are dicts for the tests: odd keys, values of 1 byte to 1.5 MiB
// (PyDAOS reads values of up to 1 MiB in one go, larger ones again).
func pyDicts() map[string]map[string]string {
	dicts := map[string]map[string]string{}
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("dict-%d", i)
		items := map[string]string{}
		for j, k := range append([]string{"a", "with space", "ünïcødé ☃", "tab\tnew\nline", strings.Repeat("k", 200)},
			fmt.Sprintf("key-%03d", i)) {
			items[k] = hex.EncodeToString(populate.Content(uint64(i), name+"/"+k, 1+j*j*97))
		}
		dicts[name] = items
	}
	dicts["dict-0"]["big"] = hex.EncodeToString(populate.Content(1, "big", 3<<19))
	dicts["dict with space ☃"] = map[string]string{"x": "00ff"}
	return dicts
}

func wantPy(dicts map[string]map[string]string, arrays, empty []string) map[string]pyObj {
	want := map[string]pyObj{}
	for n, items := range dicts {
		want[n] = pyObj{Kind: "dict", Items: items}
	}
	for _, n := range arrays {
		want[n] = pyObj{Kind: "array"}
	}
	for _, n := range empty {
		want[n] = pyObj{Kind: "dict", Items: map[string]string{}}
	}
	return want
}

// Dicts PyDAOS writes (DCont.dict with values, an empty one, and what
// DCont.array leaves) read the same through daosgo, and daosgo's checker
// finds the container clean, listing the entries without an object.
func TestCrossPyDAOSWrites(t *testing.T) {
	p := connect(t)
	cont := label(t, p, "pydaos")
	out, err := exec.Command("daos", "container", "create", poolLabel, cont, "--type", "PYTHON").CombinedOutput()
	assert.NilError(t, err, "%s", out)
	dicts := pyDicts()
	writes := map[string]map[string]string{"empty": {}}
	for n, d := range dicts {
		writes[n] = d
	}
	python(t, map[string]any{"op": "write", "cont": cont, "dicts": writes, "arrays": []string{"arr"}})
	want := wantPy(dicts, []string{"arr"}, []string{"empty"})
	assert.DeepEqual(t, daosgoDicts(t, p, cont), want)

	res := daosgoCheck(t, p, cont, "report")
	assert.Assert(t, res.Clean(), "orphans: %v", res.Orphans)
	assert.DeepEqual(t, res.Dangling, []string{"arr", "empty"})
}

// Dicts daosgo writes (populate, and odd keys and sizes) read the same
// through PyDAOS, and PyDAOS's own checker finds nothing to relink.
func TestCrossDaosgoWritesPyDAOS(t *testing.T) {
	p := connect(t)
	cont := label(t, p, "daosgo-py")
	cli(t, nil, "container", "create", poolLabel, cont, "--type", "PYTHON")
	cli(t, nil, "container", "populate", poolLabel, cont, "--dicts", "3", "--keys", "40", "--seed", "4")
	dicts := pyDicts()
	c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
	assert.NilError(t, err)
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
	assert.NilError(t, err)
	for n, items := range dicts {
		d, err := pc.NewDict(ctx, n)
		assert.NilError(t, err)
		for k, v := range items {
			b, _ := hex.DecodeString(v)
			assert.NilError(t, d.Put(ctx, k, b))
		}
		assert.NilError(t, d.Close())
	}
	assert.NilError(t, pc.Close())
	assert.NilError(t, c.Close(ctx))

	mine := daosgoDicts(t, p, cont)
	assert.Equal(t, len(mine), 3+len(dicts))
	for n, want := range wantPy(dicts, nil, nil) {
		assert.DeepEqual(t, mine[n], want)
	}
	got, _ := python(t, map[string]any{"op": "read", "cont": cont, "names": sortedKeys(mine)})
	assert.DeepEqual(t, got, mine)
	assert.DeepEqual(t, pydaosRelinked(t, cont), []string{})
}
