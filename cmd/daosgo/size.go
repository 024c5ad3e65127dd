package main

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"

	"github.com/alecthomas/kong"
)

// byteSize is a size flag that accepts "4G", "512MiB", "1TB" or a plain
// number of bytes. As in dmg, K/M/G/T/P and KB/MB/... are powers of 1000 and
// KiB/MiB/... powers of 1024.
type byteSize uint64

func (b *byteSize) UnmarshalText(text []byte) error {
	n, err := parseSize(string(text))
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// Decode takes the flag's value even when it starts with "-", which kong
// would otherwise read as a flag, so that "--size -1" is refused for what
// it is rather than as a missing value.
func (b *byteSize) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	s, ok := t.Value.(string)
	if !ok || !t.IsValue() && !negativeNumber.MatchString(s) {
		return fmt.Errorf("expected a size such as 512MiB or 4G but got %q", t.String())
	}
	return b.UnmarshalText([]byte(s))
}

var negativeNumber = regexp.MustCompile(`^-[0-9.]`)

// maxSize is the largest size daosgo keeps (the engine stores sizes as
// signed 64-bit integers): 8 EiB less one byte.
const maxSize = math.MaxInt64

var sizeNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$`)

func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	if strings.HasPrefix(num, "-") {
		return 0, fmt.Errorf("size %q: a size cannot be negative", s)
	}
	if !sizeNumber.MatchString(num) {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit, such as 512M or 4GiB", s)
	}
	units := map[string]int64{"": 1, "B": 1}
	for i, p := range []string{"K", "M", "G", "T", "P", "E"} {
		dec, bin := int64(1), int64(1)
		for j := 0; j <= i; j++ {
			dec *= 1000
			bin *= 1024
		}
		units[p], units[p+"B"], units[p+"IB"] = dec, dec, bin
	}
	m, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (want B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB, P/PB/PiB or E/EB/EiB)", s, unit)
	}
	// Exact arithmetic: a float64 would round sizes above 2^53 and wrap
	// those above 2^64.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit, such as 512M or 4GiB", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(m))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() {
		return 0, fmt.Errorf("size %q is too large: at most %d bytes (8 EiB less one byte)", s, int64(maxSize))
	}
	return n.Uint64(), nil
}

// humanSize formats n bytes for people, in powers of 1000 as dmg prints,
// unless only powers of 1024 say it exactly: 1GiB is "1.0 GiB", not the
// "1.1 GB" that would not read as what was asked for.
func humanSize(n uint64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	dec, decExact := scaled(n, 1000, "kMGTPE", "B")
	if decExact || n < 1024 {
		return dec
	}
	if bin, exact := scaled(n, 1024, "KMGTPE", "iB"); exact {
		return bin
	}
	return dec
}

// scaled writes n in the largest unit (a power of base) it holds once, to
// one decimal, and tells whether that is exact.
func scaled(n, base uint64, prefixes, suffix string) (string, bool) {
	div, exp := base, 0
	for m := n / base; m >= base && exp < len(prefixes)-1; m /= base {
		div *= base
		exp++
	}
	exact := new(big.Int).Mod(new(big.Int).Mul(new(big.Int).SetUint64(n), big.NewInt(10)), new(big.Int).SetUint64(div)).Sign() == 0
	return fmt.Sprintf("%.1f %c%s", float64(n)/float64(div), prefixes[exp], suffix), exact
}

// reported prints v, or says that the backend does not report it (DAOS
// leaves some figures out of its queries).
func reported(ok bool, v any) string {
	if !ok {
		return "unknown (not reported by this backend)"
	}
	return fmt.Sprint(v)
}
