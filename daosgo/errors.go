package daosgo

import (
	"context"
	"errors"
	"fmt"
)

// Errno is a DAOS return code (enum daos_errno), kept positive. libdaos
// returns it negated; Code gives that form. Errno values are comparable, so
// errors.Is(err, daosgo.ErrNonexist) works through any wrapping.
type Errno int

// DAOS return codes daosgo produces or maps, with DAOS's numeric values
// (GURT range from 1000, DAOS range from 2000).
const (
	ErrNoPerm        Errno = 1001 // DER_NO_PERM
	ErrNoHdl         Errno = 1002 // DER_NO_HDL
	ErrInval         Errno = 1003 // DER_INVAL
	ErrExist         Errno = 1004 // DER_EXIST
	ErrNonexist      Errno = 1005 // DER_NONEXIST
	ErrUnreach       Errno = 1006 // DER_UNREACH
	ErrNoSpace       Errno = 1007 // DER_NOSPACE
	ErrAlready       Errno = 1008 // DER_ALREADY
	ErrNoMem         Errno = 1009 // DER_NOMEM
	ErrNoSys         Errno = 1010 // DER_NOSYS
	ErrTimedOut      Errno = 1011 // DER_TIMEDOUT
	ErrBusy          Errno = 1012 // DER_BUSY
	ErrAgain         Errno = 1013 // DER_AGAIN
	ErrProto         Errno = 1014 // DER_PROTO
	ErrUninit        Errno = 1015 // DER_UNINIT
	ErrTrunc         Errno = 1016 // DER_TRUNC
	ErrOverflow      Errno = 1017 // DER_OVERFLOW
	ErrCanceled      Errno = 1018 // DER_CANCELED
	ErrMisc          Errno = 1025 // DER_MISC
	ErrBadPath       Errno = 1026 // DER_BADPATH
	ErrNotDir        Errno = 1027 // DER_NOTDIR
	ErrMismatch      Errno = 1031 // DER_MISMATCH
	ErrIO            Errno = 2001 // DER_IO
	ErrEnoent        Errno = 2003 // DER_ENOENT
	ErrNoType        Errno = 2004 // DER_NOTYPE
	ErrKey2Big       Errno = 2012 // DER_KEY2BIG
	ErrRec2Big       Errno = 2013 // DER_REC2BIG
	ErrIOInval       Errno = 2014 // DER_IO_INVAL
	ErrShutdown      Errno = 2017 // DER_SHUTDOWN
	ErrInProgress    Errno = 2018 // DER_INPROGRESS
	ErrNotApplicable Errno = 2019 // DER_NOTAPPLICABLE
	ErrCsum          Errno = 2021 // DER_CSUM
	ErrDFInval       Errno = 2022 // DER_DF_INVAL
	ErrDFIncompat    Errno = 2023 // DER_DF_INCOMPT
	ErrRecSize       Errno = 2024 // DER_REC_SIZE
	ErrTxRestart     Errno = 2025 // DER_TX_RESTART
	ErrDataLoss      Errno = 2026 // DER_DATA_LOSS
	ErrNotSupported  Errno = 2037 // DER_NOTSUPPORTED
	ErrContNonexist  Errno = 2050 // DER_CONT_NONEXIST
)

var errnoText = map[Errno][2]string{
	ErrNoPerm:        {"DER_NO_PERM", "operation not permitted"},
	ErrNoHdl:         {"DER_NO_HDL", "invalid handle"},
	ErrInval:         {"DER_INVAL", "invalid parameters"},
	ErrExist:         {"DER_EXIST", "entity already exists"},
	ErrNonexist:      {"DER_NONEXIST", "the specified entity does not exist"},
	ErrUnreach:       {"DER_UNREACH", "unreachable node"},
	ErrNoSpace:       {"DER_NOSPACE", "no space on storage target"},
	ErrAlready:       {"DER_ALREADY", "operation already performed"},
	ErrNoMem:         {"DER_NOMEM", "out of memory"},
	ErrNoSys:         {"DER_NOSYS", "function not implemented"},
	ErrTimedOut:      {"DER_TIMEDOUT", "time out"},
	ErrBusy:          {"DER_BUSY", "device or resource busy"},
	ErrAgain:         {"DER_AGAIN", "try again"},
	ErrProto:         {"DER_PROTO", "incompatible protocol"},
	ErrUninit:        {"DER_UNINIT", "device or resource not initialized"},
	ErrTrunc:         {"DER_TRUNC", "buffer too short"},
	ErrOverflow:      {"DER_OVERFLOW", "data too long for defined data type or buffer size"},
	ErrCanceled:      {"DER_CANCELED", "operation canceled"},
	ErrMisc:          {"DER_MISC", "miscellaneous error"},
	ErrBadPath:       {"DER_BADPATH", "bad path name"},
	ErrNotDir:        {"DER_NOTDIR", "not a directory"},
	ErrMismatch:      {"DER_MISMATCH", "version mismatch"},
	ErrIO:            {"DER_IO", "I/O error"},
	ErrEnoent:        {"DER_ENOENT", "entity not found"},
	ErrNoType:        {"DER_NOTYPE", "unknown object type"},
	ErrKey2Big:       {"DER_KEY2BIG", "key is too large"},
	ErrRec2Big:       {"DER_REC2BIG", "record is too large"},
	ErrIOInval:       {"DER_IO_INVAL", "I/O buffers do not match object extents"},
	ErrShutdown:      {"DER_SHUTDOWN", "service should shut down"},
	ErrInProgress:    {"DER_INPROGRESS", "operation now in progress"},
	ErrNotApplicable: {"DER_NOTAPPLICABLE", "not applicable"},
	ErrCsum:          {"DER_CSUM", "checksum error"},
	ErrDFInval:       {"DER_DF_INVAL", "unsupported durable format"},
	ErrDFIncompat:    {"DER_DF_INCOMPT", "incompatible durable format version"},
	ErrTxRestart:     {"DER_TX_RESTART", "transaction should restart"},
	ErrRecSize:       {"DER_REC_SIZE", "record size error"},
	ErrDataLoss:      {"DER_DATA_LOSS", "data lost or not recoverable"},
	ErrNotSupported:  {"DER_NOTSUPPORTED", "operation not supported"},
	ErrContNonexist:  {"DER_CONT_NONEXIST", "the specified container does not exist"},
}

// Name returns DAOS's symbolic name, e.g. "DER_NONEXIST".
func (e Errno) Name() string {
	if t, ok := errnoText[e]; ok {
		return t[0]
	}
	return fmt.Sprintf("DER_UNKNOWN(%d)", int(e))
}

// Code returns the value libdaos returns for this error (negative).
func (e Errno) Code() int { return -int(e) }

func (e Errno) Error() string {
	if t, ok := errnoText[e]; ok {
		return fmt.Sprintf("%s(%d): %s", t[0], e.Code(), t[1])
	}
	return fmt.Sprintf("DER_UNKNOWN(%d): unknown DAOS error", e.Code())
}

// ErrnoFromCode converts a libdaos return value (negative or positive) to
// an Errno; 0 gives nil.
func ErrnoFromCode(rc int) error {
	if rc == 0 {
		return nil
	}
	if rc < 0 {
		rc = -rc
	}
	return Errno(rc)
}

// Code extracts the DAOS return code carried by err, or 0 when err carries
// none (e.g. a plain Go error).
func Code(err error) int {
	var e Errno
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// Errorf returns an error that wraps code with a message giving context,
// e.g. Errorf(ErrNonexist, "pool %q", label).
func Errorf(code Errno, format string, args ...any) error {
	return &codedError{code: code, msg: fmt.Sprintf(format, args...)}
}

type codedError struct {
	code Errno
	msg  string
}

func (e *codedError) Error() string { return e.msg + ": " + e.code.Error() }

// Reason is err's message without the DAOS code it ends with, for
// grouping errors that differ only in what they name.
func Reason(err error) string {
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return err.Error()
}
func (e *codedError) Unwrap() error { return e.code }

// CanceledError reports an operation stopped by its context. It is both
// DER_CANCELED and the context's error, so callers can test either.
func CanceledError(ctx context.Context, what string) error {
	return &canceledError{what: what, cause: ctx.Err()}
}

type canceledError struct {
	what  string
	cause error
}

func (e *canceledError) Error() string {
	return fmt.Sprintf("%s: %v: %v", e.what, e.cause, ErrCanceled)
}
func (e *canceledError) Unwrap() []error { return []error{ErrCanceled, e.cause} }

// KeyTooBigError is returned by key listings when the next key does not fit
// in the caller's buffer (DER_KEY2BIG); Need is the size that would.
type KeyTooBigError struct {
	Need int
}

func (e *KeyTooBigError) Error() string {
	return fmt.Sprintf("next key needs a %d-byte buffer: %v", e.Need, ErrKey2Big)
}
func (e *KeyTooBigError) Unwrap() error { return ErrKey2Big }

// RecTooBigError is returned by a fetch whose buffer is smaller than the
// stored single value (DER_REC2BIG); Size is the value's size.
type RecTooBigError struct {
	Akey []byte
	Size uint64
}

func (e *RecTooBigError) Error() string {
	return fmt.Sprintf("akey %q holds %d bytes, more than the buffer: %v", e.Akey, e.Size, ErrRec2Big)
}
func (e *RecTooBigError) Unwrap() error { return ErrRec2Big }
