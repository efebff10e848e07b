package simulator_test

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestHandsetPhonesListsPhonesWithTextsLatestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Date(2025, 11, 27, 4, 45, 56, 0, time.UTC)
		clock := storetest.NewClock(start)
		p := newProvider(t, db.Simulator(), nil, clock.Now)
		if got, err := p.HandsetPhones(t.Context(), 10); err != nil || len(got) != 0 {
			t.Fatalf("no texts yet: %+v, %v", got, err)
		}
		chicago, sanFrancisco := buy(t, p, "312"), buy(t, p, "415")
		ann, ben, cat := storetest.RandomPhone(t), storetest.RandomPhone(t), storetest.RandomPhone(t)
		// A flagged phone without texts is not listed.
		if err := p.SetPhoneFlag(t.Context(), storetest.RandomPhone(t), simstate.FlagLandline); err != nil {
			t.Fatal(err)
		}
		for _, s := range [][2]string{{chicago, ann}, {chicago, ben}, {sanFrancisco, ann}, {chicago, cat}, {sanFrancisco, ben}} {
			clock.Advance(time.Minute)
			if _, err := p.Send(t.Context(), sms.OutboundMessage{From: s[0], To: s[1], Body: "Are you free Tuesday?"}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := p.HandsetPhones(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []simstate.HandsetSummary{
			{Phone: ben, Count: 2, LastCounterpart: sanFrancisco, LastAt: start.Add(5 * time.Minute)},
			{Phone: cat, Count: 1, LastCounterpart: chicago, LastAt: start.Add(4 * time.Minute)},
			{Phone: ann, Count: 2, LastCounterpart: sanFrancisco, LastAt: start.Add(3 * time.Minute)},
		}
		if len(got) != len(want) {
			t.Fatalf("phones = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].Phone != want[i].Phone || got[i].Count != want[i].Count || got[i].LastCounterpart != want[i].LastCounterpart || !got[i].LastAt.Equal(want[i].LastAt) {
				t.Errorf("phone %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if top, err := p.HandsetPhones(t.Context(), 2); err != nil || len(top) != 2 || top[1].Phone != cat {
			t.Fatalf("limit 2: %+v, %v", top, err)
		}

		// A long exchange with one phone does not hide the phones before it.
		for range 60 {
			if _, err := p.Send(t.Context(), sms.OutboundMessage{From: chicago, To: cat, Body: "And Wednesday?"}); err != nil {
				t.Fatal(err)
			}
		}
		top, err := p.HandsetPhones(t.Context(), 2)
		if err != nil || len(top) != 2 || top[0].Phone != cat || top[0].Count != 61 || top[1].Phone != ben || top[1].Count != 2 {
			t.Fatalf("after 60 texts to one phone, limit 2: %+v, %v", top, err)
		}

		// Counting stops past MaxCountedTexts.
		for range simstate.MaxCountedTexts {
			if _, err := p.Send(t.Context(), sms.OutboundMessage{From: chicago, To: ann, Body: "Still there?"}); err != nil {
				t.Fatal(err)
			}
		}
		if top, err := p.HandsetPhones(t.Context(), 1); err != nil || len(top) != 1 || top[0].Phone != ann || top[0].Count != simstate.MaxCountedTexts+1 {
			t.Fatalf("after %d more texts: %+v, %v", simstate.MaxCountedTexts, top, err)
		}
	})
}
