package populate

import "time"

// tickEvery paces progress reports (a variable so that tests can report,
// and react, sooner).
var tickEvery = 200 * time.Millisecond

func tick() <-chan time.Time { return time.After(tickEvery) }
