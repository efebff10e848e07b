package events

import (
	"strings"
	"testing"
)

func TestParseCursor(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"0":          "0",
		"42":         "42",
		"11:10":      "11:10",
		"20:17,12":   "20:12,17", // sorted
		"20:12,12,3": "20:3,12",  // deduplicated
	}
	for in, want := range good {
		c, err := ParseCursor(in)
		if err != nil || c.String() != want {
			t.Errorf("ParseCursor(%q) = %q, %v; want %q", in, c, err, want)
		}
	}
	bad := []string{"", "x", "-1", "11:", "11:11", "11:0", "11:a", "5:1:2", "1e3",
		"1000:" + strings.Repeat("1,", maxCursorMissing) + "2"}
	for _, in := range bad {
		if c, err := ParseCursor(in); err == nil {
			t.Errorf("ParseCursor(%q) = %q, want an error", in, c)
		}
	}
}

func TestCursorCoversAndUnion(t *testing.T) {
	t.Parallel()
	c := Cursor{High: 11, Missing: []int64{8, 10}}
	for id, want := range map[int64]bool{1: true, 8: false, 9: true, 10: false, 11: true, 12: false} {
		if c.Covers(id) != want {
			t.Errorf("%s covers %d = %v, want %v", c, id, !want, want)
		}
	}
	tests := []struct{ a, b Cursor }{
		{Cursor{High: 11, Missing: []int64{8, 10}}, Cursor{High: 9}},                    // b fills 8
		{Cursor{High: 9}, Cursor{High: 11, Missing: []int64{8, 10}}},                    // either order
		{Cursor{High: 11, Missing: []int64{10}}, Cursor{High: 12, Missing: []int64{7}}}, // 7 and 10 each covered by the other
	}
	want := []string{"11:10", "11:10", "12"}
	for i, tt := range tests {
		if got := tt.a.Union(tt.b).String(); got != want[i] {
			t.Errorf("%s ∪ %s = %s, want %s", tt.a, tt.b, got, want[i])
		}
	}
}
