//go:build daos

package cross

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/daosgo/daosgo/cgo/libdfs"
	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"gotest.tools/v3/assert"
)

// daosgo mounts exactly the superblocks libdfs mounts (open_sb): versions
// up to 2 with layout 3; a zero or missing chunk size is the default and
// missing classes are 0; and it makes balanced-mode containers as libdfs
// marks them (DFS_BALANCED, which libdfs mounts only in balanced mode).
func TestCrossSuperblockRules(t *testing.T) {
	p := connect(t)
	le16 := func(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
	for name, tc := range map[string]struct {
		set   map[string][]byte // values to write
		drop  []string          // akeys to punch
		mount bool              // libdfs mounts it
	}{
		"as written":      {mount: true},
		"sb version 1":    {set: map[string][]byte{"DFS_SB_VERSION": le16(1)}, mount: true},
		"sb version 0":    {set: map[string][]byte{"DFS_SB_VERSION": le16(0)}, mount: true},
		"sb version 3":    {set: map[string][]byte{"DFS_SB_VERSION": le16(3)}},
		"layout 2":        {set: map[string][]byte{"DFS_LAYOUT_VERSION": le16(2)}},
		"layout 4":        {set: map[string][]byte{"DFS_LAYOUT_VERSION": le16(4)}},
		"chunk size 0":    {set: map[string][]byte{"DFS_CHUNK_SIZE": make([]byte, 8)}, mount: true},
		"no chunk size":   {drop: []string{"DFS_CHUNK_SIZE"}, mount: true},
		"no classes":      {drop: []string{"DFS_OBJ_CLASS", "DFS_DIR_OBJ_CLASS", "DFS_FILE_OBJ_CLASS"}, mount: true},
		"bad magic":       {set: map[string][]byte{"DFS_MAGIC": []byte("not-dfs!")}},
		"no superblock":   {drop: []string{"DFS_MAGIC", "DFS_SB_VERSION", "DFS_LAYOUT_VERSION", "DFS_CHUNK_SIZE", "DFS_MODE"}},
		"long sb version": {set: map[string][]byte{"DFS_SB_VERSION": {2, 0, 0, 0}}},
	} {
		t.Run(name, func(t *testing.T) {
			cont := label(t, p, "sb")
			_, err := dfs.CreateContainer(ctx, p, cont, dfs.Attr{ChunkSize: 64 << 10})
			assert.NilError(t, err)
			c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
			assert.NilError(t, err)
			props, err := c.GetProps(ctx, daosgo.PropContRoots)
			assert.NilError(t, err)
			sb, err := c.OpenObject(ctx, props[0].Roots[0], daosgo.ObjRW)
			assert.NilError(t, err)
			for akey, v := range tc.set {
				assert.NilError(t, daosgo.PutSingle(ctx, sb, []byte(dfs.SBDkey), akey, v))
			}
			for _, akey := range tc.drop {
				assert.NilError(t, sb.PunchAkeys(ctx, []byte(dfs.SBDkey), 0, [][]byte{[]byte(akey)}))
			}
			assert.NilError(t, sb.Close())
			fs, gerr := dfs.Mount(ctx, c)
			assert.NilError(t, c.Close(ctx))

			lfs, lerr := libdfs.Mount(poolLabel, os.Getenv("DAOS_SYSTEM"), cont, libdfs.RDONLY)
			assert.Equal(t, lerr == nil, tc.mount, "libdfs: %v", lerr)
			assert.Equal(t, gerr == nil, tc.mount, "daosgo: %v", gerr)
			if lerr != nil {
				return
			}
			attr, err := lfs.Query()
			assert.NilError(t, err)
			assert.NilError(t, lfs.Close())
			assert.Equal(t, fs.SB.ChunkSize, attr.ChunkSize)
			assert.Equal(t, fs.SB.OClass, attr.OClass)
			assert.Equal(t, fs.SB.Mode, attr.Mode)
			// (dfs_query answers 0 directory and file classes with what
			// DAOS would choose, daos_obj_get_oclass: not the superblock.)
		})
	}

	t.Run("balanced", func(t *testing.T) {
		cont := label(t, p, "balanced")
		_, err := dfs.CreateContainer(ctx, p, cont, dfs.Attr{Mode: dfs.ModeBalanced})
		assert.NilError(t, err)
		_, err = libdfs.Mount(poolLabel, os.Getenv("DAOS_SYSTEM"), cont, libdfs.RDWR)
		assert.Assert(t, errors.Is(err, syscall.EPERM), "a balanced container mounts only in balanced mode: %v", err)
		lfs, err := libdfs.Mount(poolLabel, os.Getenv("DAOS_SYSTEM"), cont, libdfs.RDWR|libdfs.BALANCED)
		assert.NilError(t, err)
		attr, err := lfs.Query()
		assert.NilError(t, err)
		assert.NilError(t, lfs.Close())
		assert.Equal(t, attr.Mode, uint32(libdfs.BALANCED))
	})
}
