package storetest

import (
	"errors"
	"testing"
	"time"
)

// Patience is how long Eventually waits before it fails the test: ample for
// a loaded two-core CI machine running the race detector. A passing test
// never waits it out; only a failing one pays for it.
const Patience = 30 * time.Second

// maxPause is the longest pause between two looks at a condition.
const maxPause = 50 * time.Millisecond

// errNotYet is what Eventually's condition reports while it does not hold.
var errNotYet = errors.New("not yet")

// Eventually waits until cond holds, looking again every few milliseconds,
// and fails tb, naming what it waited for, if cond still does not hold
// after Patience. It is how tests wait for what another goroutine or
// process does: a test never sleeps a fixed time instead.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	EventuallyNil(tb, Patience, what, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
}

// EventuallyNil waits until check returns nil, looking again every few
// milliseconds, and fails tb if it still does not after within, naming what
// it waited for and check's last error, which should say what was seen
// instead. It suits waits whose failure needs explaining, and waits for a
// workload that may take longer than Patience (pass Patience otherwise).
func EventuallyNil(tb testing.TB, within time.Duration, what string, check func() error) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for pause := time.Millisecond; ; pause = min(2*pause, maxPause) {
		err := check()
		switch {
		case err == nil:
			return
		case time.Now().Before(deadline):
			time.Sleep(pause)
		case errors.Is(err, errNotYet):
			tb.Fatalf("timed out after %v waiting for %s", within, what)
		default:
			tb.Fatalf("timed out after %v waiting for %s: %v", within, what, err)
		}
	}
}
