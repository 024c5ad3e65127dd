package daosgo

import (
	"sort"
	"strconv"
	"strings"
)

// The words DAOS's tools print and accept for enumerated pool properties
// (dmg pool get-prop/set-prop; src/control/lib/daos/pool_property.go), for
// the values of daos_prop.h. dmg rejects numbers for these properties, so
// the words are what crosses dmg both ways.
var poolPropWords = map[PropID][]propWord{
	PropPoolReclaim: {{"disabled", 0}, {"lazy", 1}, {"time", 4}}, // DAOS_RECLAIM_*
	PropPoolSelfHeal: {{"none", 0}, {"exclude", 1}, {"rebuild", 2}, {"delay_rebuild", 4},
		{"exclude;rebuild", 3}, {"exclude;delay_rebuild", 5}}, // DAOS_SELF_HEAL_* bits
	PropPoolUpgradeStatus:  {{"not started", 0}, {"in progress", 1}, {"completed", 2}, {"failed", 3}}, // DAOS_UPGRADE_STATUS_*
	PropPoolScrubMode:      {{"off", 0}, {"lazy", 1}, {"timed", 2}},                                   // DAOS_SCRUB_MODE_*
	PropPoolCheckpointMode: {{"disabled", 0}, {"timed", 1}, {"lazy", 2}},                              // DAOS_CHECKPOINT_*
	PropPoolReintMode:      {{"data_sync", 0}, {"no_data_sync", 1}, {"incremental", 2}},               // DAOS_REINT_MODE_*
	PropPoolPerfDomain:     {{"group", 200}, {"root", 255}},                                           // PO_COMP_TP_PERF, PO_COMP_TP_ROOT
}

type propWord struct {
	word string
	num  uint64
}

// ValueWord returns the word dmg prints for a pool property's value, and
// false if the property has no words or the value none.
func (id PropID) ValueWord(n uint64) (string, bool) {
	for _, w := range poolPropWords[id] {
		if w.num == n {
			return w.word, true
		}
	}
	return "", false
}

// ParseValueWord returns the value of a word dmg accepts for the pool
// property (case-insensitive; "rebuild;exclude" as well as
// "exclude;rebuild"), and false for any other word.
func (id PropID) ParseValueWord(s string) (uint64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if id == PropPoolSelfHeal && strings.Contains(s, ";") {
		parts := strings.Split(s, ";")
		sort.Strings(parts)
		s = strings.Join(parts, ";")
		if s == "delay_rebuild;exclude" {
			s = "exclude;delay_rebuild"
		}
	}
	for _, w := range poolPropWords[id] {
		if w.word == s {
			return w.num, true
		}
	}
	return 0, false
}

// ValueWords lists the words of the property, sorted; nil if it has none.
func (id PropID) ValueWords() []string {
	var out []string
	for _, w := range poolPropWords[id] {
		out = append(out, w.word)
	}
	sort.Strings(out)
	return out
}

// DmgValue is the value as dmg accepts it on its command line: the word
// for enumerated properties, else the number or string.
func (p Prop) DmgValue() string {
	if w, ok := p.ID.ValueWord(p.Num); ok && p.ID.IsPool() {
		return w
	}
	if p.Kind() == KindString {
		return p.Str
	}
	return strconv.FormatUint(p.Num, 10)
}
