//go:build daos

// Package libdfs wraps the few calls of DAOS's POSIX library (libdfs) that
// daosgo's cross tests need to prove that daosgo's DFS format is libdfs's:
// containers libdfs writes are read by daosgo, and containers daosgo
// writes are read by libdfs. It is built only with the "daos" build tag and
// is used by tests, never by the tools, which read and write DFS through
// mwc/dfs over the daosgo API.
//
// Each Go function wraps one C call, or the few one step takes (Mount:
// connect, open, mount), and its doc comment names them. As in
// cgo/libdaos, data crosses into C only in C-allocated buffers, so the
// wrappers pass the cgo pointer checks (make test-daos runs with
// GOEXPERIMENT=cgocheck2). libdfs returns errno values; they come back as
// *Error, which unwraps to a syscall.Errno (errors.Is(err, syscall.ENOENT)).
// The libdaos calls that open and close the pool and container return
// DAOS codes, which come back as daosgo.Errno values.
package libdfs

/*
#cgo LDFLAGS: -ldfs -ldaos -ldaos_common -lgurt -luuid
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/stat.h>
#include <daos.h>
#include <daos_fs.h>

static inline int libdfs_anchor_is_eof(daos_anchor_t *a) { return a->da_type == DAOS_ANCHOR_TYPE_EOF; }

static inline void libdfs_sgl_set(d_sg_list_t *sgl, d_iov_t *iov, void *buf, size_t len)
{
	iov->iov_buf = buf;
	iov->iov_buf_len = len;
	iov->iov_len = len;
	sgl->sg_nr = 1;
	sgl->sg_nr_out = 0;
	sgl->sg_iovs = iov;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"syscall"
	"time"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// Open flags (fcntl.h), as dfs_mount, dfs_lookup and dfs_open take them.
const (
	RDONLY   = int(C.O_RDONLY)
	RDWR     = int(C.O_RDWR)
	CREAT    = int(C.O_CREAT)
	EXCL     = int(C.O_EXCL)
	TRUNC    = int(C.O_TRUNC)
	NOFOLLOW = int(C.O_NOFOLLOW)
	// BALANCED is DFS_BALANCED, a mount flag (and a container mode): a
	// container made in balanced mode mounts only with it.
	BALANCED = int(C.DFS_BALANCED)
)

// File types of a mode (sys/stat.h).
const (
	IFDIR = uint32(C.S_IFDIR)
	IFREG = uint32(C.S_IFREG)
	IFLNK = uint32(C.S_IFLNK)
)

// Error is a libdfs failure: the call and the errno it returned.
type Error struct {
	Op    string
	Errno syscall.Errno
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v (errno %d)", e.Op, e.Errno, int(e.Errno)) }
func (e *Error) Unwrap() error { return e.Errno }

func errnoErr(rc C.int, format string, args ...any) error {
	if rc == 0 {
		return nil
	}
	return &Error{Op: fmt.Sprintf(format, args...), Errno: syscall.Errno(rc)}
}

// derErr reports a failed libdaos call (a DAOS return code, not an errno).
func derErr(rc C.int, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), daosgo.ErrnoFromCode(int(rc)))
}

// Init wraps dfs_init, which initialises libdaos (daos_init, counted:
// daosgo's libdaos backend may have done so too).
func Init() error { return errnoErr(C.dfs_init(), "dfs_init") }

// Fini wraps dfs_fini.
func Fini() error { return errnoErr(C.dfs_fini(), "dfs_fini") }

// Attr are the settings of a container Create makes (dfs_attr_t); zero
// values are libdfs's defaults.
type Attr struct {
	ChunkSize  uint64
	OClass     daosgo.ObjClass
	DirOClass  daosgo.ObjClass
	FileOClass daosgo.ObjClass
	Mode       uint32 // DFS_RELAXED (0) or DFS_BALANCED (1)
	Hints      string
}

// FS is a mounted DFS namespace over pool and container handles of its
// own, which Close closes. (dfs_connect is not used: its cache keeps the
// container open after dfs_disconnect, until dfs_fini, and an open handle
// makes exclusive opens, such as the checkers', fail EBUSY.)
type FS struct {
	dfs *C.dfs_t
	poh C.daos_handle_t
	coh C.daos_handle_t
}

// connectPool wraps daos_pool_connect.
func connectPool(pool, sys string, rw bool) (C.daos_handle_t, error) {
	cpool := C.CString(pool)
	defer C.free(unsafe.Pointer(cpool))
	var csys *C.char
	if sys != "" {
		csys = C.CString(sys)
		defer C.free(unsafe.Pointer(csys))
	}
	flags := C.uint(C.DAOS_PC_RO)
	if rw {
		flags = C.DAOS_PC_RW
	}
	var poh C.daos_handle_t
	if rc := C.daos_pool_connect(cpool, csys, flags, &poh, nil, nil); rc != 0 {
		return poh, derErr(rc, "daos_pool_connect(%s)", pool)
	}
	return poh, nil
}

// Create wraps dfs_cont_create_with_label: it makes a POSIX container
// labelled label in pool with attr (nil: libdfs's defaults) and returns
// it mounted read-write.
func Create(pool, sys, label string, attr *Attr) (*FS, error) {
	fs := &FS{}
	var err error
	if fs.poh, err = connectPool(pool, sys, true); err != nil {
		return nil, err
	}
	clabel := C.CString(label)
	defer C.free(unsafe.Pointer(clabel))
	cattr := (*C.dfs_attr_t)(C.calloc(1, C.sizeof_dfs_attr_t))
	defer C.free(unsafe.Pointer(cattr))
	if attr != nil {
		cattr.da_chunk_size = C.daos_size_t(attr.ChunkSize)
		cattr.da_oclass_id = C.daos_oclass_id_t(attr.OClass)
		cattr.da_dir_oclass_id = C.daos_oclass_id_t(attr.DirOClass)
		cattr.da_file_oclass_id = C.daos_oclass_id_t(attr.FileOClass)
		cattr.da_mode = C.uint32_t(attr.Mode)
		if len(attr.Hints) >= len(cattr.da_hints) {
			fs.Close()
			return nil, &Error{Op: "dfs_cont_create_with_label: hints too long", Errno: syscall.EINVAL}
		}
		hints := C.CString(attr.Hints)
		C.strcpy(&cattr.da_hints[0], hints)
		C.free(unsafe.Pointer(hints))
	}
	if err := errnoErr(C.dfs_cont_create_with_label(fs.poh, clabel, cattr, nil, &fs.coh, &fs.dfs),
		"dfs_cont_create_with_label(%s)", label); err != nil {
		fs.Close()
		return nil, err
	}
	return fs, nil
}

// Mount wraps daos_pool_connect, daos_cont_open and dfs_mount: container
// cont of pool (labels or UUIDs) mounted with flags RDONLY or RDWR. sys is
// the DAOS system name, "" for the default.
func Mount(pool, sys, cont string, flags int) (*FS, error) {
	rw := flags&RDWR != 0
	fs := &FS{}
	var err error
	if fs.poh, err = connectPool(pool, sys, rw); err != nil {
		return nil, err
	}
	ccont := C.CString(cont)
	defer C.free(unsafe.Pointer(ccont))
	cflags := C.uint(C.DAOS_COO_RO)
	if rw {
		cflags = C.DAOS_COO_RW
	}
	if rc := C.daos_cont_open(fs.poh, ccont, cflags, &fs.coh, nil, nil); rc != 0 {
		fs.Close()
		return nil, derErr(rc, "daos_cont_open(%s)", cont)
	}
	if err := errnoErr(C.dfs_mount(fs.poh, fs.coh, C.int(flags), &fs.dfs), "dfs_mount(%s)", cont); err != nil {
		fs.Close()
		return nil, err
	}
	return fs, nil
}

// Close wraps dfs_umount, daos_cont_close and daos_pool_disconnect.
func (fs *FS) Close() error {
	var errs []error
	if fs.dfs != nil {
		errs = append(errs, errnoErr(C.dfs_umount(fs.dfs), "dfs_umount"))
		fs.dfs = nil
	}
	if fs.coh.cookie != 0 {
		if rc := C.daos_cont_close(fs.coh, nil); rc != 0 {
			errs = append(errs, derErr(rc, "daos_cont_close"))
		}
		fs.coh.cookie = 0
	}
	if fs.poh.cookie != 0 {
		if rc := C.daos_pool_disconnect(fs.poh, nil); rc != 0 {
			errs = append(errs, derErr(rc, "daos_pool_disconnect"))
		}
		fs.poh.cookie = 0
	}
	return errors.Join(errs...)
}

// Obj is an open DFS object (dfs_obj_t): a directory, file or symlink.
type Obj struct {
	o    *C.dfs_obj_t
	Mode uint32 // type and permissions, as the lookup or open found them
}

// Release wraps dfs_release.
func (o *Obj) Release() error {
	if o == nil || o.o == nil {
		return nil
	}
	err := errnoErr(C.dfs_release(o.o), "dfs_release")
	o.o = nil
	return err
}

func parentOf(o *Obj) *C.dfs_obj_t {
	if o == nil {
		return nil // the root
	}
	return o.o
}

// Lookup wraps dfs_lookup: it resolves an absolute path (following
// symlinks unless flags has NOFOLLOW) and opens what it finds.
func (fs *FS) Lookup(path string, flags int) (*Obj, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var mode C.mode_t
	o := &Obj{}
	if err := errnoErr(C.dfs_lookup(fs.dfs, cpath, C.int(flags), &o.o, &mode, nil), "dfs_lookup(%s)", path); err != nil {
		return nil, err
	}
	o.Mode = uint32(mode)
	return o, nil
}

// Open wraps dfs_open: it opens name in directory parent (nil: the root),
// creating it with CREAT as a directory, file or symlink according to
// mode's type. oclass and chunkSize 0 leave the choice to libdfs; target
// is a new symlink's value.
func (fs *FS) Open(parent *Obj, name string, mode uint32, flags int, oclass daosgo.ObjClass, chunkSize uint64, target string) (*Obj, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var ctarget *C.char
	if target != "" {
		ctarget = C.CString(target)
		defer C.free(unsafe.Pointer(ctarget))
	}
	o := &Obj{Mode: mode}
	rc := C.dfs_open(fs.dfs, parentOf(parent), cname, C.mode_t(mode), C.int(flags), C.daos_oclass_id_t(oclass),
		C.daos_size_t(chunkSize), ctarget, &o.o)
	if err := errnoErr(rc, "dfs_open(%s)", name); err != nil {
		return nil, err
	}
	if flags&CREAT == 0 {
		// Opened, not made: the mode passed is not the object's.
		var m C.mode_t
		if err := errnoErr(C.dfs_get_mode(o.o, &m), "dfs_get_mode(%s)", name); err != nil {
			o.Release()
			return nil, err
		}
		o.Mode = uint32(m)
	}
	return o, nil
}

// Mkdir wraps dfs_mkdir: directory name in parent (nil: the root).
func (fs *FS) Mkdir(parent *Obj, name string, mode uint32, oclass daosgo.ObjClass) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return errnoErr(C.dfs_mkdir(fs.dfs, parentOf(parent), cname, C.mode_t(mode), C.daos_oclass_id_t(oclass)), "dfs_mkdir(%s)", name)
}

// Write wraps dfs_write: data at offset off of file o.
func (fs *FS) Write(o *Obj, data []byte, off uint64) error {
	if len(data) == 0 {
		return nil
	}
	buf := C.CBytes(data)
	defer C.free(buf)
	sgl := (*C.d_sg_list_t)(C.calloc(1, C.sizeof_d_sg_list_t))
	iov := (*C.d_iov_t)(C.calloc(1, C.sizeof_d_iov_t))
	defer C.free(unsafe.Pointer(sgl))
	defer C.free(unsafe.Pointer(iov))
	C.libdfs_sgl_set(sgl, iov, buf, C.size_t(len(data)))
	return errnoErr(C.dfs_write(fs.dfs, o.o, sgl, C.daos_off_t(off), nil), "dfs_write(%d bytes at %d)", len(data), off)
}

// Read wraps dfs_read: up to len(buf) bytes at offset off of file o; it
// returns how many were read (fewer at the end of the file).
func (fs *FS) Read(o *Obj, buf []byte, off uint64) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	cbuf := C.malloc(C.size_t(len(buf)))
	defer C.free(cbuf)
	sgl := (*C.d_sg_list_t)(C.calloc(1, C.sizeof_d_sg_list_t))
	iov := (*C.d_iov_t)(C.calloc(1, C.sizeof_d_iov_t))
	defer C.free(unsafe.Pointer(sgl))
	defer C.free(unsafe.Pointer(iov))
	C.libdfs_sgl_set(sgl, iov, cbuf, C.size_t(len(buf)))
	var n C.daos_size_t
	if err := errnoErr(C.dfs_read(fs.dfs, o.o, sgl, C.daos_off_t(off), &n, nil), "dfs_read(%d bytes at %d)", len(buf), off); err != nil {
		return 0, err
	}
	copy(buf, unsafe.Slice((*byte)(cbuf), int(n)))
	return int(n), nil
}

// GetSize wraps dfs_get_size.
func (fs *FS) GetSize(o *Obj) (uint64, error) {
	var size C.daos_size_t
	err := errnoErr(C.dfs_get_size(fs.dfs, o.o, &size), "dfs_get_size")
	return uint64(size), err
}

// readdirBatch is how many entries each dfs_readdir call asks for.
const readdirBatch = 64

// Readdir lists a whole directory through dfs_readdir, a batch at a time.
func (fs *FS) Readdir(dir *Obj) ([]string, error) {
	anchor := (*C.daos_anchor_t)(C.calloc(1, C.sizeof_daos_anchor_t))
	defer C.free(unsafe.Pointer(anchor))
	dirs := (*C.struct_dirent)(C.calloc(readdirBatch, C.sizeof_struct_dirent))
	defer C.free(unsafe.Pointer(dirs))
	var names []string
	for C.libdfs_anchor_is_eof(anchor) == 0 {
		nr := C.uint32_t(readdirBatch)
		if err := errnoErr(C.dfs_readdir(fs.dfs, dir.o, anchor, &nr, dirs), "dfs_readdir"); err != nil {
			return names, err
		}
		for _, d := range unsafe.Slice(dirs, int(nr)) {
			names = append(names, C.GoString(&d.d_name[0]))
		}
	}
	return names, nil
}

// Stat is what dfs_stat reports of an entry.
type Stat struct {
	Mode    uint32
	Size    uint64
	Blksize uint64 // a file's chunk size
	UID     uint32
	GID     uint32
	Mtime   time.Time
	Ctime   time.Time
}

func goStat(st *C.struct_stat) Stat {
	return Stat{
		Mode: uint32(st.st_mode), Size: uint64(st.st_size), Blksize: uint64(st.st_blksize),
		UID: uint32(st.st_uid), GID: uint32(st.st_gid),
		Mtime: time.Unix(int64(st.st_mtim.tv_sec), int64(st.st_mtim.tv_nsec)),
		Ctime: time.Unix(int64(st.st_ctim.tv_sec), int64(st.st_ctim.tv_nsec)),
	}
}

// Stat wraps dfs_stat: entry name of directory parent (nil: the root);
// with no parent and no name, the root directory itself.
func (fs *FS) Stat(parent *Obj, name string) (Stat, error) {
	var cname *C.char
	if parent != nil || name != "" {
		cname = C.CString(name)
		defer C.free(unsafe.Pointer(cname))
	}
	st := (*C.struct_stat)(C.calloc(1, C.sizeof_struct_stat))
	defer C.free(unsafe.Pointer(st))
	if err := errnoErr(C.dfs_stat(fs.dfs, parentOf(parent), cname, st), "dfs_stat(%s)", name); err != nil {
		return Stat{}, err
	}
	return goStat(st), nil
}

// Ostat wraps dfs_ostat: the entry of an open object.
func (fs *FS) Ostat(o *Obj) (Stat, error) {
	st := (*C.struct_stat)(C.calloc(1, C.sizeof_struct_stat))
	defer C.free(unsafe.Pointer(st))
	if err := errnoErr(C.dfs_ostat(fs.dfs, o.o, st), "dfs_ostat"); err != nil {
		return Stat{}, err
	}
	return goStat(st), nil
}

// SetMtime wraps dfs_osetattr with DFS_SET_ATTR_MTIME: it sets the entry's
// modification time, as touch -m does.
func (fs *FS) SetMtime(o *Obj, t time.Time) error {
	st := (*C.struct_stat)(C.calloc(1, C.sizeof_struct_stat))
	defer C.free(unsafe.Pointer(st))
	st.st_mtim.tv_sec = C.__time_t(t.Unix())
	st.st_mtim.tv_nsec = C.__syscall_slong_t(t.Nanosecond())
	return errnoErr(C.dfs_osetattr(fs.dfs, o.o, st, C.DFS_SET_ATTR_MTIME), "dfs_osetattr(mtime)")
}

// Readlink wraps dfs_get_symlink_value.
func (fs *FS) Readlink(o *Obj) (string, error) {
	var size C.daos_size_t
	if err := errnoErr(C.dfs_get_symlink_value(o.o, nil, &size), "dfs_get_symlink_value"); err != nil {
		return "", err
	}
	buf := (*C.char)(C.calloc(1, C.size_t(size)+1))
	defer C.free(unsafe.Pointer(buf))
	if err := errnoErr(C.dfs_get_symlink_value(o.o, buf, &size), "dfs_get_symlink_value"); err != nil {
		return "", err
	}
	return C.GoString(buf), nil
}

// Info is what dfs_obj_get_info says of an object.
type Info struct {
	OID        daosgo.OID
	OClass     daosgo.ObjClass
	ChunkSize  uint64
	DirOClass  daosgo.ObjClass // a directory's classes for new entries
	FileOClass daosgo.ObjClass
}

// ObjInfo wraps dfs_obj_get_info.
func (fs *FS) ObjInfo(o *Obj) (Info, error) {
	info := (*C.dfs_obj_info_t)(C.calloc(1, C.sizeof_dfs_obj_info_t))
	defer C.free(unsafe.Pointer(info))
	if err := errnoErr(C.dfs_obj_get_info(fs.dfs, o.o, info), "dfs_obj_get_info"); err != nil {
		return Info{}, err
	}
	return Info{
		OID:    daosgo.OID{Hi: uint64(info.doi_oid.hi), Lo: uint64(info.doi_oid.lo)},
		OClass: daosgo.ObjClass(info.doi_oclass_id), ChunkSize: uint64(info.doi_chunk_size),
		DirOClass: daosgo.ObjClass(info.doi_dir_oclass_id), FileOClass: daosgo.ObjClass(info.doi_file_oclass_id),
	}, nil
}

// Query is what dfs_query reports of the mount: the superblock's settings.
func (fs *FS) Query() (Attr, error) {
	attr := (*C.dfs_attr_t)(C.calloc(1, C.sizeof_dfs_attr_t))
	defer C.free(unsafe.Pointer(attr))
	if err := errnoErr(C.dfs_query(fs.dfs, attr), "dfs_query"); err != nil {
		return Attr{}, err
	}
	return Attr{ChunkSize: uint64(attr.da_chunk_size), OClass: daosgo.ObjClass(attr.da_oclass_id),
		DirOClass: daosgo.ObjClass(attr.da_dir_oclass_id), FileOClass: daosgo.ObjClass(attr.da_file_oclass_id),
		Mode: uint32(attr.da_mode), Hints: C.GoString(&attr.da_hints[0])}, nil
}
