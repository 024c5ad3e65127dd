package daosgo

import "context"

// kvAkey is the one akey under which libdaos's KV layer stores each value
// (the character '0').
var kvAkey = []byte("0")

// NewObjectKV implements the KV interface over an Object, laying the data
// out exactly as libdaos's daos_kv_* functions do: the key is the dkey and
// the value a single value under akey "0". A backend without a native KV
// layer uses it; what it writes is readable through daos_kv_get.
func NewObjectKV(o Object) KV { return objectKV{o} }

type objectKV struct{ o Object }

func (kv objectKV) OID() OID     { return kv.o.OID() }
func (kv objectKV) Close() error { return kv.o.Close() }

func checkKVKey(key string) error {
	if key == "" {
		return Errorf(ErrInval, "KV key is empty")
	}
	return nil
}

// Put stores value under key; an empty value removes the key, as a zero-size
// daos_kv_put does.
func (kv objectKV) Put(ctx context.Context, key string, value []byte) error {
	if err := checkKVKey(key); err != nil {
		return err
	}
	return kv.o.Update(ctx, []byte(key), 0, []IOD{{Akey: kvAkey, Type: IODSingle, Size: uint64(len(value)), Data: value}})
}

func (kv objectKV) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKVKey(key); err != nil {
		return nil, err
	}
	v, err := GetSingle(ctx, kv.o, []byte(key), string(kvAkey))
	if err != nil {
		return nil, wrapKV(err, key)
	}
	return v, nil
}

func (kv objectKV) Remove(ctx context.Context, key string) error {
	if err := checkKVKey(key); err != nil {
		return err
	}
	return kv.o.PunchDkeys(ctx, 0, [][]byte{[]byte(key)})
}

func (kv objectKV) List(ctx context.Context, anchor *Anchor, nr int) ([]string, error) {
	keys, err := kv.o.ListDkeys(ctx, anchor, nr, nil)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
	}
	return out, err
}

func wrapKV(err error, key string) error {
	if e, ok := err.(Errno); ok {
		return Errorf(e, "KV key %q", key)
	}
	return err
}
