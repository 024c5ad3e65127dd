package populate

import "time"

// tick paces progress reports.
func tick() <-chan time.Time { return time.After(200 * time.Millisecond) }
