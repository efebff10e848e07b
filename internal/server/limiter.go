package server

import (
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// DefaultLoginLimit allows 5 failed logins per 15 minutes for each client
// address and each email, then blocks it for 15 minutes. The counts are kept
// in the database (hiretext.ThrottleService), so every instance shares them.
var DefaultLoginLimit = hiretext.ThrottleRule{Limit: 5, Window: 15 * time.Minute, Block: 15 * time.Minute}

// retryAfter formats a wait as whole seconds for the Retry-After header.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// humanWait formats a wait for people.
func humanWait(d time.Duration) string {
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return strconv.Itoa(m) + " minutes"
	}
	return "a minute"
}
