package daosgo

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// Uint64Key encodes n as libdaos reads an integer dkey or akey: the bytes of
// a host-order uint64 (little-endian on the platforms DAOS supports). Use it
// for objects whose type has DkeyUint64 or AkeyUint64.
func Uint64Key(n uint64) []byte {
	return binary.LittleEndian.AppendUint64(make([]byte, 0, 8), n)
}

// KeyUint64 decodes a key made by Uint64Key.
func KeyUint64(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, Errorf(ErrInval, "integer key must be 8 bytes, got %d", len(k))
	}
	return binary.LittleEndian.Uint64(k), nil
}

// SingleIOD describes a single value under akey: for update pass the value,
// for fetch pass nil to learn the size or a buffer to receive it.
func SingleIOD(akey string, value []byte) IOD {
	return IOD{Akey: []byte(akey), Type: IODSingle, Size: uint64(len(value)), Data: value}
}

// ArrayIOD describes byte records [idx, idx+len(data)) of an array akey
// with 1-byte records, the way DFS stores file data.
func ArrayIOD(akey []byte, idx uint64, data []byte) IOD {
	return IOD{Akey: akey, Type: IODArray, Size: 1, Recxs: []Recx{{Idx: idx, Nr: uint64(len(data))}}, Data: data}
}

// GetSingle fetches one single value, failing DER_NONEXIST when absent. A
// value of size 0 is absent: DAOS reads a punched value (one updated with
// size 0) as size 0, and stores no empty value.
func GetSingle(ctx context.Context, o Object, dkey []byte, akey string) ([]byte, error) {
	iod := []IOD{{Akey: []byte(akey), Type: IODSingle}}
	if err := o.Fetch(ctx, dkey, CondDkeyFetch|CondAkeyFetch, iod); err != nil {
		return nil, err
	}
	if iod[0].Size == 0 {
		return nil, Errorf(ErrNonexist, "object %s: dkey %q akey %q holds no value", o.OID(), KeyString(dkey), KeyString([]byte(akey)))
	}
	iod[0].Data = make([]byte, iod[0].Size)
	if err := o.Fetch(ctx, dkey, CondDkeyFetch|CondAkeyFetch, iod); err != nil {
		return nil, err
	}
	return iod[0].Data[:iod[0].Size], nil
}

// PutSingle stores one single value.
func PutSingle(ctx context.Context, o Object, dkey []byte, akey string, value []byte) error {
	if len(value) == 0 {
		return Errorf(ErrInval, "akey %q: an empty single value would punch the akey", akey)
	}
	return o.Update(ctx, dkey, 0, []IOD{SingleIOD(akey, value)})
}

// String helps print keys that may be binary.
func KeyString(k []byte) string {
	for _, c := range k {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%x", k)
		}
	}
	return string(k)
}

// ListAll pages through a listing until its anchor reports the end and
// returns everything it listed.
func ListAll[T any](page func(a *Anchor) ([]T, error)) ([]T, error) {
	var all []T
	a := &Anchor{}
	for !a.EOF() {
		items, err := page(a)
		if err != nil {
			return all, err
		}
		all = append(all, items...)
	}
	return all, nil
}

// PunchObject punches the whole object oid of container c (or, given a
// transaction, as part of it).
func PunchObject(ctx context.Context, c ObjectOpener, oid OID) error {
	o, err := c.OpenObject(ctx, oid, ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	return o.Punch(ctx)
}

// txAttempts bounds how many times RunTx runs a transaction that keeps
// meeting conflicts.
const txAttempts = 16

// RunTx runs fn in a new transaction of c and commits it. If fn fails, the
// transaction is discarded and fn's error returned. If the commit asks for
// a restart (DER_TX_RESTART), fn runs again in a fresh transaction, so fn
// must do all of its work through the transaction it is given and keep no
// effects of an earlier run.
func RunTx(ctx context.Context, c Container, fn func(Tx) error) error {
	var err error
	for attempt := 0; attempt < txAttempts; attempt++ {
		if err = runTxOnce(ctx, c, fn); !errors.Is(err, ErrTxRestart) {
			return err
		}
	}
	return fmt.Errorf("transaction restarted %d times: %w", txAttempts, err)
}

func runTxOnce(ctx context.Context, c Container, fn func(Tx) error) error {
	tx, err := c.OpenTx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Close(ctx))
	}
	if err := tx.Commit(ctx); err != nil {
		return errors.Join(err, tx.Close(ctx))
	}
	return tx.Close(ctx)
}
