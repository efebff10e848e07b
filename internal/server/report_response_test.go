package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestSMSActivityResponseFigures: Rita texts Ann and Bob on a Friday at
// 4 p.m.; Ann replies at 4:30 and Rita answers on Monday at 10. The report
// shows, and both downloads hold, Rita's and the number's 50% response
// rate and a median answer of 65.5 clock hours, then, once the company set
// 9-to-5 weekdays, 1.5 business hours.
func TestSMSActivityResponseFigures(t *testing.T) {
	t.Parallel()
	chicago, _ := time.LoadLocation("America/Chicago")
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, chicago) }
	clock := storetest.NewClock(at(4, 16, 0))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	f := newATSFixture(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Clock = clock.Now })
	fx := storetest.MustSetUpTexting(t, db, 100)
	admin := storetest.MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
	ann, annPhone := fx.MustCandidate(t, db, "Ann")
	bob, _ := fx.MustCandidate(t, db, "Bob")
	fx.MustSend(t, db, "Can you start Monday?", ann.ID, bob.ID)
	clock.Set(at(4, 16, 30))
	fx.Receive(t, db, "SMf1", annPhone, "Yes! Which site?")
	clock.Set(at(7, 10, 0))
	fx.MustSend(t, db, "Downtown, 9 a.m.", ann.ID)
	clock.Set(at(20, 12, 0))

	b := f.as(t, admin)
	query := "?from=2026-12-01&to=2026-12-31"
	check := func(unit, median, hours string) {
		t.Helper()
		st, body, _ := b.do("GET", "/reports/sms-activity"+query, nil)
		if st != http.StatusOK {
			t.Fatalf("report: %d", st)
		}
		mustContain(t, "the Response section", body, `id="response-title"`, "counted in "+unit,
			`<th scope="row">Rita Recruiter</th><td>2</td><td>1</td><td>50%</td><td>1</td><td>`+median+`</td>`,
			`Median time to answer (`+unit+`)`, `href="/reports/sms-activity/response.csv?from=2026-12-01&amp;to=2026-12-31"`)
		st, csv, _ := b.do("GET", "/reports/sms-activity/response.csv"+query, nil)
		want := "Response by,Name,Candidates texted,Replied within 7 days,Response rate (%),Texts answered,Median time to answer (" + unit + ")\n" +
			"User,Rita Recruiter,2,1,50,1," + hours + "\n"
		if st != http.StatusOK || !strings.HasPrefix(strings.TrimPrefix(csv, "\ufeff"), want) || !strings.Contains(csv, "Number,") {
			t.Fatalf("response CSV: %d\n%q\nwant it to start %q", st, csv, want)
		}
		_, xlsx, _ := b.do("GET", "/reports/sms-activity.xlsx"+query, nil)
		book, err := excelize.OpenReader(strings.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.GetRows("Response")
		if err != nil || len(rows) != 3 || !slices.Equal(rows[1], []string{"User", "Rita Recruiter", "2", "1", "50", "1", hours}) ||
			rows[2][0] != "Number" || rows[2][6] != hours {
			t.Fatalf("the XLSX's Response sheet: %q, %v", rows, err)
		}
	}
	check("clock hours", "65 h 30 min", "65.5")
	_, got := f.ts.api(t, token(t, db, admin), "GET", "/api/v1/reports/sms-activity"+query, "")
	resp, _ := got["response"].(map[string]any)
	users, _ := resp["users"].([]any)
	if resp["unit"] != "clock_hours" || len(users) != 1 {
		t.Fatalf("the API's response figures: %v", got["response"])
	}
	if u := users[0].(map[string]any); u["name"] != "Rita Recruiter" || u["candidates_texted"] != float64(2) || u["replied"] != float64(1) ||
		u["response_rate_percent"] != float64(50) || u["answered"] != float64(1) || u["median_answer_hours"] != 65.5 {
		t.Fatalf("Rita's figures in the API: %v", u)
	}
	p := hiretext.DefaultEscalationPolicy(fx.Org.ID)
	if _, err := db.UpdateEscalationPolicy(t.Context(), fx.Org.ID, p.Update(), admin.ID); err != nil {
		t.Fatal(err)
	}
	check("business hours", "1 h 30 min", "1.5")
}
