package events

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Cursor is a position in the event stream: every event with an id up to
// High has been accounted for, except the ids in Missing (sorted), which were
// skipped while an earlier transaction had not yet committed. A subscriber's
// cursor travels to the browser as the server-sent event id and comes back as
// Last-Event-ID, so a client resumes exactly where it stopped, on any
// instance. Missing is nearly always empty, and the cursor then reads as the
// plain event id.
type Cursor struct {
	High    int64
	Missing []int64
}

// maxCursorMissing bounds the ids a cursor carries, keeping the
// Last-Event-ID header small; see maxGaps.
const maxCursorMissing = maxGaps

// String renders c as "HIGH" or "HIGH:ID,ID".
func (c Cursor) String() string {
	s := strconv.FormatInt(c.High, 10)
	if len(c.Missing) == 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s)
	for i, id := range c.Missing {
		if i == 0 {
			b.WriteByte(':')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// ErrBadCursor reports a Last-Event-ID that is not a cursor.
var ErrBadCursor = errors.New("events: malformed cursor")

// ParseCursor reads a cursor written by String.
func ParseCursor(s string) (Cursor, error) {
	if len(s) > 32*(maxCursorMissing+1) {
		return Cursor{}, ErrBadCursor
	}
	high, rest, hasMissing := strings.Cut(s, ":")
	var c Cursor
	var err error
	if c.High, err = strconv.ParseInt(high, 10, 64); err != nil || c.High < 0 {
		return Cursor{}, ErrBadCursor
	}
	if !hasMissing {
		return c, nil
	}
	for part := range strings.SplitSeq(rest, ",") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 || id >= c.High || len(c.Missing) == maxCursorMissing {
			return Cursor{}, ErrBadCursor
		}
		c.Missing = append(c.Missing, id)
	}
	slices.Sort(c.Missing)
	c.Missing = slices.Compact(c.Missing)
	return c, nil
}

// Covers reports whether the event with id is accounted for by c.
func (c Cursor) Covers(id int64) bool {
	if id > c.High {
		return false
	}
	_, missing := slices.BinarySearch(c.Missing, id)
	return !missing
}

// Union returns the cursor covering every id that c or d covers.
func (c Cursor) Union(d Cursor) Cursor {
	if c.High < d.High {
		c, d = d, c
	}
	if len(c.Missing) == 0 {
		return c
	}
	var missing []int64
	for _, id := range c.Missing {
		if !d.Covers(id) {
			missing = append(missing, id)
		}
	}
	return Cursor{High: c.High, Missing: missing}
}

// lowest returns the highest id below every id c does not cover: replay
// reads from just above it.
func (c Cursor) lowest() int64 {
	if len(c.Missing) > 0 {
		return c.Missing[0] - 1
	}
	return c.High
}

// truncate returns the part of c at or below high.
func (c Cursor) truncate(high int64) Cursor {
	if high >= c.High {
		return c
	}
	i, _ := slices.BinarySearch(c.Missing, high)
	return Cursor{High: high, Missing: c.Missing[:i:i]}
}
