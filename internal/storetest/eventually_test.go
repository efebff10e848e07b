package storetest

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// fatalRecorder is a testing.TB whose Fatalf notes the message and ends the
// goroutine, as a test's Fatalf does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// waitIn runs wait on its own goroutine, as a test would, and returns the
// failure it reported ("" for none).
func waitIn(t *testing.T, wait func(tb testing.TB)) string {
	r := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); wait(r) }()
	<-done
	return r.msg
}

func TestEventuallyReturnsOnceTheConditionHolds(t *testing.T) {
	t.Parallel()
	looks := 0
	msg := waitIn(t, func(tb testing.TB) {
		Eventually(tb, "the third look", func() bool { looks++; return looks == 3 })
	})
	if msg != "" || looks != 3 {
		t.Fatalf("failure %q after %d looks; want none after 3", msg, looks)
	}
}

func TestEventuallyNilNamesWhatItWaitedForAndWhatItSaw(t *testing.T) {
	t.Parallel()
	looks := 0
	msg := waitIn(t, func(tb testing.TB) {
		EventuallyNil(tb, 20*time.Millisecond, "the queue to empty", func() error {
			looks++
			return fmt.Errorf("%d queued", 10-looks)
		})
	})
	// The message gives the last look's error.
	if want := fmt.Sprintf("timed out after 20ms waiting for the queue to empty: %d queued", 10-looks); msg != want {
		t.Fatalf("failure %q, want %q", msg, want)
	}
}

func TestEventuallyNamesWhatItWaitedFor(t *testing.T) {
	t.Parallel()
	// Eventually waits Patience; its failure is EventuallyNil's with
	// nothing seen to report, shown here with a shorter wait.
	msg := waitIn(t, func(tb testing.TB) {
		EventuallyNil(tb, time.Millisecond, "the bell", func() error { return errNotYet })
	})
	if want := "timed out after 1ms waiting for the bell"; msg != want {
		t.Fatalf("failure %q, want %q", msg, want)
	}
}
