package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// receiveMMS delivers a text from phone with files announced at urls, each
// declared as an image.
func (fx *Texting) receiveMMS(tb testing.TB, db *store.DB, providerID, from, body string, urls ...string) *hiretext.InboundResult {
	tb.Helper()
	var media []hiretext.IncomingMedia
	for _, u := range urls {
		media = append(media, hiretext.IncomingMedia{URL: u, ContentType: "image/jpeg"})
	}
	res, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: fx.Number.Provider, ProviderMessageID: providerID,
		From: from, To: fx.Number.Phone, Body: body, Media: media})
	if err != nil {
		tb.Fatalf("receive: %v", err)
	}
	return res
}

// TestMMSIsStoredWithItsTextAndCountsOnce: the files a provider announces
// are on the message at once, pending, in order; the MMS counts as one
// received text; a repeated webhook adds nothing; past ten files the rest
// are recorded as refused.
func TestMMSIsStoredWithItsTextAndCountsOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		res := fx.receiveMMS(t, db, "MM1", phone, "My certificate", "https://media.example/1", "https://media.example/2")
		again := fx.receiveMMS(t, db, "MM1", phone, "My certificate", "https://media.example/1", "https://media.example/2")
		if !again.Duplicate {
			t.Fatal("a repeated MMS webhook was not a duplicate")
		}
		msgs, err := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, ann.ID, time.Time{})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages %v, %v: want the one MMS", msgs, err)
		}
		m := msgs[0]
		if len(m.Media) != 2 || m.Media[0].ProviderURL != "https://media.example/1" || m.Media[1].Index != 1 ||
			m.Media[0].Status != hiretext.MediaPending || m.Media[0].MessageID != res.Message.ID {
			t.Fatalf("media %+v, want two pending files in order", m.Media)
		}
		u, err := db.Usage(ctx, fx.Org.ID, fx.Number.ID, "")
		if err != nil || u.Used != 1 {
			t.Fatalf("usage %+v, %v: an MMS counts as one received text", u, err)
		}
		period, err := hiretext.NewReportPeriod("", "", time.UTC, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.ActivityPage(ctx, fx.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: period}})
		if err != nil || len(page.Rows) != 1 || page.Rows[0].AttachmentsLabel() != "2 attachments" {
			t.Fatalf("the report's rows %+v, %v: want the MMS listed with 2 attachments", page, err)
		}
		var many []string
		for i := range hiretext.MaxMediaItems + 2 {
			many = append(many, fmt.Sprintf("https://media.example/m%d", i))
		}
		big := fx.receiveMMS(t, db, "MM2", phone, "", many...)
		got, err := db.MessageByID(ctx, fx.Org.ID, big.Message.ID)
		if err != nil || len(got.Media) != hiretext.MaxMediaItems+2 {
			t.Fatalf("%v: %d files recorded, want all %d", err, len(got.Media), hiretext.MaxMediaItems+2)
		}
		if last := got.Media[hiretext.MaxMediaItems]; last.Status != hiretext.MediaRefused || last.Error == "" {
			t.Fatalf("the eleventh file %+v, want refused with why", last)
		}
	})
}

// TestMediaFetchQueue: a pending file is claimed once (a second claim
// under the lease gets nothing), stored with its content, or retried, or
// given up; only the provider's own files are claimed; another company
// cannot read it.
func TestMediaFetchQueue(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		_, phone := fx.MustCandidate(t, db, "Ann")
		fx.receiveMMS(t, db, "MM1", phone, "", "https://media.example/1", "https://media.example/2")
		if other, err := db.ClaimMediaFetches(ctx, "another-provider", 10, time.Minute); err != nil || len(other) != 0 {
			t.Fatalf("another provider claimed %v, %v", other, err)
		}
		claimed, err := db.ClaimMediaFetches(ctx, fx.Number.Provider, 10, time.Minute)
		if err != nil || len(claimed) != 2 || claimed[0].Attempts != 1 {
			t.Fatalf("claimed %+v, %v: want both, first attempt", claimed, err)
		}
		if again, _ := db.ClaimMediaFetches(ctx, fx.Number.Provider, 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed again under the lease: %+v", again)
		}
		png := []byte("\x89PNG\r\n\x1a\n picture")
		must(t, db.StoreMediaContent(ctx, claimed[0].ID, "image/png", png))
		must(t, db.RetryMediaFetch(ctx, claimed[1].ID, time.Now().Add(time.Hour), "the provider answered 503"))
		if due, _ := db.ClaimMediaFetches(ctx, fx.Number.Provider, 10, time.Minute); len(due) != 0 {
			t.Fatalf("a retried file was due before its time: %+v", due)
		}
		// Its time comes (the fetch is moved to a minute ago).
		must(t, db.RetryMediaFetch(ctx, claimed[1].ID, time.Now().Add(-time.Minute), "the provider answered 503"))
		due, err := db.ClaimMediaFetches(ctx, fx.Number.Provider, 10, time.Minute)
		if err != nil || len(due) != 1 || due[0].ID != claimed[1].ID || due[0].Attempts != 2 {
			t.Fatalf("after the backoff %+v, %v: want the second file, second attempt", due, err)
		}
		must(t, db.GiveUpMedia(ctx, due[0].ID, hiretext.MediaRefused, "The file is larger than 5 MB."))
		f, err := db.MediaFile(ctx, fx.Org.ID, claimed[0].ID)
		if err != nil || !bytes.Equal(f.Content, png) || f.ContentType != "image/png" || f.Size != int64(len(png)) ||
			f.NumberID != fx.Number.ID || f.Status != hiretext.MediaStored {
			t.Fatalf("stored file %+v, %v", f, err)
		}
		refused, err := db.MediaFile(ctx, fx.Org.ID, claimed[1].ID)
		if err != nil || refused.Status != hiretext.MediaRefused || refused.Error != "The file is larger than 5 MB." {
			t.Fatalf("refused file %+v, %v", refused, err)
		}
		other := MustCreateOrg(t, db, "Globex")
		if _, err := db.MediaFile(ctx, other.ID, claimed[0].ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company read the file: %v, want not found", err)
		}
	})
}

// TestMediaInExportAndGoneOnErasure: the subject-access record holds the
// candidate's stored files with their content; erasure deletes them.
func TestMediaInExportAndGoneOnErasure(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		fx.receiveMMS(t, db, "MM1", phone, "Here", "https://media.example/1")
		claimed, err := db.ClaimMediaFetches(ctx, fx.Number.Provider, 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %v, %v", claimed, err)
		}
		must(t, db.StoreMediaContent(ctx, claimed[0].ID, "image/png", []byte("\x89PNG\r\n\x1a\n")))
		rec, err := db.CandidateRecord(ctx, fx.Org.ID, ann.ID)
		if err != nil || len(rec.Files) != 1 || rec.Files[0].ID != claimed[0].ID || len(rec.Files[0].Content) == 0 ||
			len(rec.Messages) != 1 || len(rec.Messages[0].Media) != 1 {
			t.Fatalf("record %+v, %v: want the file with its content", rec, err)
		}
		admin := MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		must(t, db.EraseCandidate(ctx, fx.Org.ID, ann.ID, admin.ID))
		if _, err := db.MediaFile(ctx, fx.Org.ID, claimed[0].ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("the file after erasure: %v, want deleted", err)
		}
	})
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestRetentionDeletesOldPictures: the message period erases a text's
// pictures with its words; a newer text keeps its own.
func TestRetentionDeletesOldPictures(t *testing.T) {
	for name, open := range map[string]func(testing.TB, Config) *store.DB{"sqlite": NewSQLite, "postgres": NewPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := NewClock(time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
			db := open(t, Config{Clock: clock.Now})
			fx := MustSetUpTexting(t, db, 10)
			_, phone := fx.MustCandidate(t, db, "Ann")
			stored := func(providerID string) hiretext.MediaID {
				fx.receiveMMS(t, db, providerID, phone, "", "https://media.example/"+providerID)
				claimed, err := db.ClaimMediaFetches(ctx, fx.Number.Provider, 1, time.Minute)
				if err != nil || len(claimed) != 1 {
					t.Fatalf("claim: %v %v", claimed, err)
				}
				must(t, db.StoreMediaContent(ctx, claimed[0].ID, "image/png", []byte("\x89PNG\r\n\x1a\n")))
				return claimed[0].ID
			}
			old := stored("MMold")
			clock.Set(time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC))
			recent := stored("MMnew")
			if _, err := db.UpdateRetentionSettings(ctx, hiretext.RetentionSettings{OrgID: fx.Org.ID, MessageMonths: 6}, fx.Recruiter.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApplyRetention(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := db.MediaFile(ctx, fx.Org.ID, old); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Fatalf("the old picture after retention: %v, want deleted", err)
			}
			if _, err := db.MediaFile(ctx, fx.Org.ID, recent); err != nil {
				t.Fatalf("the recent picture after retention: %v", err)
			}
		})
	}
}
