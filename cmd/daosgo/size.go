package main

import (
	"fmt"
	"strconv"
	"strings"
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

func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit such as 512M or 4GiB", s)
	}
	units := map[string]float64{"": 1, "B": 1}
	for i, p := range []string{"K", "M", "G", "T", "P"} {
		dec, bin := 1.0, 1.0
		for j := 0; j <= i; j++ {
			dec *= 1000
			bin *= 1024
		}
		units[p], units[p+"B"], units[p+"IB"] = dec, dec, bin
	}
	m, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q", s, unit)
	}
	return uint64(f * m), nil
}

// humanSize formats n bytes for people, in powers of 1000 as dmg prints.
func humanSize(n uint64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// reported prints v, or says that the backend does not report it (DAOS
// leaves some figures out of its queries).
func reported(ok bool, v any) string {
	if !ok {
		return "unknown (not reported by this backend)"
	}
	return fmt.Sprint(v)
}
