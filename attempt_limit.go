package hiretext

import (
	"slices"
	"time"
)

// AttemptWindow is the rolling span the attempt limit counts texts in.
const AttemptWindow = 24 * time.Hour

// NextAttempt applies an attempt limit of limit texts per AttemptWindow at
// now: sent are the times of the texts users started to the candidate
// (automatic replies are not attempts) and lastReply the time of the
// candidate's newest text (zero for never), which starts the count afresh.
// It returns whether another text may go now and, when not, the time it
// may: when the oldest counted text leaves the window. A limit of 0 is off.
func NextAttempt(limit int, sent []time.Time, lastReply, now time.Time) (bool, time.Time) {
	if limit <= 0 {
		return true, now
	}
	from := now.Add(-AttemptWindow)
	if lastReply.After(from) {
		from = lastReply
	}
	var counted []time.Time
	for _, t := range sent {
		if t.After(from) && !t.After(now) {
			counted = append(counted, t)
		}
	}
	if len(counted) < limit {
		return true, now
	}
	slices.SortFunc(counted, time.Time.Compare)
	// The text that must leave the window for one more to fit.
	return false, counted[len(counted)-limit].Add(AttemptWindow)
}
