package demo

import (
	"context"
	"testing"

	"github.com/hiretext/hiretext/internal/storetest"
)

// TestSeedUsageIsTheTextsStored checks that each demo number's usage is the
// texts the demo stored for it (which the SMS Activity report lists), and
// that Priya's is past the 90% warning.
func TestSeedUsageIsTheTextsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.NewSQLite(t, storetest.Config{})
	if _, err := Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	org, _ := db.OrgBySlug(ctx, Slug)
	numbers, err := db.ListNumbers(ctx, org.ID)
	if err != nil || len(numbers) != 2 {
		t.Fatalf("%d numbers, %v; want 2", len(numbers), err)
	}
	read, _ := db.Pools()
	near := 0
	for _, n := range numbers {
		var stored int
		if err := read.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE number_id = ?", n.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if n.Usage.Used != stored || stored == 0 {
			t.Errorf("number %s: usage %d, texts stored %d", n.Phone, n.Usage.Used, stored)
		}
		if n.Usage.NearLimit() {
			near++
		}
	}
	if near != 1 {
		t.Errorf("%d numbers past the 90%% warning, want Priya's alone", near)
	}
}
