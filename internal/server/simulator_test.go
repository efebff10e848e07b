package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// simNumber provisions a number on the simulator and, unless org is nil,
// records it as org's.
func simNumber(t *testing.T, db *store.DB, sim *simulator.Provider, org *hiretext.Organization) string {
	t.Helper()
	ctx := context.Background()
	offers, err := sim.SearchNumbers(ctx, sms.NumberQuery{Country: "US", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := sim.BuyNumber(ctx, offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	if org != nil {
		storetest.MustGrantNumbers(t, db, org.ID, 1, 50)
		if _, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: "simulator", ProviderID: pn.ProviderID}); err != nil {
			t.Fatal(err)
		}
	}
	return pn.Phone
}

// simTimeHTML is how the simulator page shows t in zone.
func simTimeHTML(t *testing.T, at time.Time, zone string) string {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	at = at.In(loc)
	return `<time datetime="` + at.Format(time.RFC3339) + `">` + at.Format("Jan 2 3:04:05 PM MST") + `</time>`
}

func TestSimulatorShowsTimesInTheNumbersCompanyTimeZone(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, sim := newNumbersServer(t, db)
	chicago := storetest.MustCreateOrg(t, db, "Acme Chicago")
	la, err := db.CreateOrg(t.Context(), hiretext.NewOrganization{Name: "Acme West", Slug: "acme-west", Timezone: "America/Los_Angeles", Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	numbers := []string{simNumber(t, db, sim, chicago), simNumber(t, db, sim, nil), simNumber(t, db, sim, la)}
	zones := map[string]string{numbers[0]: "America/Chicago", numbers[1]: "UTC", numbers[2]: "America/Los_Angeles"}
	const candidate = "+13125550143"
	for _, n := range numbers {
		if _, err := sim.SimulateInbound(t.Context(), candidate, n, "Is the job still open?"); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := sim.Handset(t.Context(), candidate)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("handset: %d texts, %v", len(msgs), err)
	}

	_, page, _ := ts.browser(t).do("GET", "/simulator?phone="+url.QueryEscape(candidate), nil)
	for _, m := range msgs {
		want := "To " + phone.Format(m.Counterpart) + " · " + simTimeHTML(t, m.CreatedAt, zones[m.Counterpart])
		if !strings.Contains(page, want) {
			t.Errorf("the text to %s (%s) is not shown as %q", m.Counterpart, zones[m.Counterpart], want)
		}
	}
	last := msgs[2]
	if want := "last " + simTimeHTML(t, last.CreatedAt, "America/Los_Angeles"); !strings.Contains(page, want) {
		t.Errorf("the phone list does not show the last text in Los Angeles time: %q", want)
	}
}

func TestSimulatorKeepsThePhoneAsTyped(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	b := ts.browser(t)
	for typed, e164 := range map[string]string{"(312) 555-0143": "+13125550143", "312.555.0143": "+13125550143", "+44 7911 123456": "+447911123456"} {
		st, page, _ := b.do("GET", "/simulator?phone="+url.QueryEscape(typed), nil)
		if st != http.StatusOK {
			t.Fatalf("open %q: %d", typed, st)
		}
		shown := strings.Replace(phone.Format(e164), "+", "&#43;", 1)
		if want := `id="phone" name="phone" type="tel" value="` + shown + `"`; !strings.Contains(page, want) {
			t.Errorf("after opening %q the phone box does not show %q", typed, phone.Format(e164))
		}
		// The forms and links still carry E.164 (html/template writes + as &#43;).
		escaped := strings.Replace(e164, "+", "&#43;", 1)
		if !strings.Contains(page, `name="phone" value="`+escaped+`"`) || !strings.Contains(page, `href="/simulator?phone=`+url.QueryEscape(e164)+`"`) {
			t.Errorf("after opening %q the forms or the reload link lost the E.164 phone", typed)
		}
	}
	st, page, _ := b.do("GET", "/simulator?phone=555", nil)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, `value="555"`) {
		t.Fatalf("a phone that does not parse must stay as typed: %d", st)
	}
}

func TestSimulatorShowsTheNetworkBehaviour(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	b := ts.browser(t)
	const candidate = "+13125550143"
	pressed := func(page, flag string) bool {
		return strings.Contains(page, `value="`+flag+`" aria-pressed="true"`)
	}
	_, page, _ := b.do("GET", simPath(candidate), nil)
	if !strings.Contains(page, "behaves as <strong>a working mobile</strong>: texts to it are delivered.") || !pressed(page, "") || pressed(page, "landline") {
		t.Fatal("a new phone does not show that it is a working mobile")
	}
	for _, c := range []struct{ flag, name, effect string }{
		{"landline", "a landline", "error 30006"},
		{"invalid", "an invalid number", "error 21211"},
		{"", "a working mobile", "texts to it are delivered"},
	} {
		if st, _, h := b.do("POST", "/simulator/flag", url.Values{"phone": {candidate}, "flag": {c.flag}}); st != http.StatusSeeOther || h.Get("Location") != simPath(candidate) {
			t.Fatalf("flag %q: %d %q", c.flag, st, h.Get("Location"))
		}
		_, page, _ := b.do("GET", simPath(candidate), nil)
		now := "behaves as <strong>" + c.name + "</strong>: "
		if !strings.Contains(page, now) || !strings.Contains(page, c.effect) || strings.Count(page, `aria-pressed="true"`) != 1 || !pressed(page, c.flag) {
			t.Errorf("after choosing %q the page does not show %q with its button pressed", c.flag, c.name)
		}
	}
}

func simPath(e164 string) string { return "/simulator?phone=" + url.QueryEscape(e164) }

func TestSimulatorListsPhonesWithTexts(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, sim := newNumbersServer(t, db)
	b := ts.browser(t)
	if _, page, _ := b.do("GET", "/simulator", nil); !strings.Contains(page, "Phones with texts") || !strings.Contains(page, "No phone has texts yet.") {
		t.Fatal("without texts the list must say there are none")
	}
	ours := simNumber(t, db, sim, storetest.MustCreateOrg(t, db, "Acme"))
	var phones []string
	for i := range simulator.MaxHandsetPhones + 1 {
		p := fmt.Sprintf("+1312555%04d", 1000+i)
		phones = append(phones, p)
		if _, err := sim.Send(t.Context(), sms.OutboundMessage{From: ours, To: p, Body: "Hi, are you still looking for work?"}); err != nil {
			t.Fatal(err)
		}
	}
	newest := phones[len(phones)-1]
	if _, err := sim.SimulateInbound(t.Context(), phones[1], ours, "Yes!"); err != nil {
		t.Fatal(err)
	}

	_, page, _ := b.do("GET", simPath(newest), nil)
	_, list, _ := strings.Cut(page, `id="phones-title"`)
	if got := strings.Count(list, `<li><a href="/simulator?phone=`); got != simulator.MaxHandsetPhones {
		t.Fatalf("the list has %d phones, want the %d latest", got, simulator.MaxHandsetPhones)
	}
	first := `<li><a href="` + simPath(phones[1]) + `">` + phone.Format(phones[1]) + `</a>`
	current := `<li><a href="` + simPath(newest) + `" aria-current="page">` + phone.Format(newest) + `</a>`
	if !strings.HasPrefix(strings.TrimSpace(list[strings.Index(list, "<li>"):]), first) {
		t.Error("the phone with the latest text is not listed first")
	}
	if !strings.Contains(listItem(list, first), "2 texts · last ") || !strings.Contains(listItem(list, current), "1 text · last ") {
		t.Error("the list does not count each phone's texts or mark the phone shown")
	}
	if strings.Contains(list, simPath(phones[0])) {
		t.Error("the list is not bounded: the phone texted longest ago is listed")
	}
}

// listItem returns the list item of page that starts with start, or "".
func listItem(page, start string) string {
	_, item, ok := strings.Cut(page, start)
	if !ok {
		return ""
	}
	item, _, _ = strings.Cut(item, "</li>")
	return item
}

func TestSimulatorSaysItIsASimulatedNetworkAndWhoMayOpenIt(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	for _, path := range []string{"/simulator", simPath("+13125550143")} {
		_, page, _ := ts.browser(t).do("GET", path, nil)
		for _, want := range []string{"Simulated phone network, for demos and testing.", "No real texts are sent or received",
			"This page is open to administrators and to browsers on the machine hiretext runs on"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s does not say %q", path, want)
			}
		}
	}
}
