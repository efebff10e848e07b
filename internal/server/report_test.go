package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
	"github.com/xuri/excelize/v2"
)

// reportFixture is a company whose recruiters Rita (the fixture's number)
// and Sam (a second number) texted Ann and Bob; Ann replied with a formula
// and markup. Dana, an administrator, is assigned to no number.
type reportFixture struct {
	*textingFixture
	sam        *hiretext.User
	second     *hiretext.Number
	admin      *hiretext.User
	ann, bob   *hiretext.Candidate
	annReply   string
	ritaBodies []string
}

const annReply = `=HYPERLINK("http://evil.example","Click me") <script>alert(1)</script>`

func newReportFixture(t *testing.T, db *store.DB) *reportFixture {
	t.Helper()
	ctx := context.Background()
	f := &reportFixture{textingFixture: newTextingFixture(t, db), annReply: annReply,
		ritaBodies: []string{"Hi Ann, can you start Monday?", "Hi Bob, your interview is at 9."}}
	f.ann, f.bob = f.candidate(t, "Ann"), f.candidate(t, "Bob")
	offers, err := f.sim.SearchNumbers(ctx, sms.NumberQuery{Country: "US", AreaCode: "773", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := f.sim.BuyNumber(ctx, offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	if f.second, err = db.AddNumber(ctx, f.org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: "simulator", ProviderID: pn.ProviderID}); err != nil {
		t.Fatal(err)
	}
	f.sam = storetest.MustCreateUser(t, db, f.org.ID, "Sam Sender", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.second.ID, f.sam.ID)
	f.admin = storetest.MustCreateUser(t, db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)

	send := func(u *hiretext.User, c *hiretext.Candidate, body string) {
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: f.org.ID, UserID: u.ID, CandidateIDs: []hiretext.CandidateID{c.ID}, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	send(f.recruiter, f.ann, f.ritaBodies[0])
	send(f.recruiter, f.bob, f.ritaBodies[1])
	send(f.sam, f.ann, "Sam here: see you Monday.")
	if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: "simulator", ProviderMessageID: "SMreply1",
		From: f.ann.TextingPhone(), To: f.number.Phone, Body: annReply}); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, "every text delivered", func() bool {
		delivered := 0
		_ = db.EachActivity(ctx, f.org.ID, f.filter(t), func(r *hiretext.ActivityRow) error {
			if r.Status == hiretext.StatusDelivered {
				delivered++
			}
			return nil
		})
		return delivered == 3
	})
	return f
}

// filter is this month so far in the company's time zone, as the page's default.
func (f *reportFixture) filter(t *testing.T) hiretext.ActivityFilter {
	p, err := hiretext.NewReportPeriod("", "", f.org.Location(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return hiretext.ActivityFilter{Period: p}
}

// get fetches path with the browser and fails unless the status is want.
func (b *browser) get(path string, want int) (string, http.Header) {
	b.t.Helper()
	st, body, h := b.do("GET", path, nil)
	if st != want {
		b.t.Fatalf("GET %s: %d, want %d\n%.2000s", path, st, want, body)
	}
	return body, h
}

// totals reads the summary's totals from the page.
func totals(page string) string {
	var out []string
	for _, k := range []string{"Sent", "Received", "Failed"} {
		i := strings.Index(page, "<dt>"+k+"</dt><dd>")
		if i < 0 {
			return "no totals"
		}
		rest := page[i+len("<dt>"+k+"</dt><dd>"):]
		out = append(out, k+" "+rest[:strings.Index(rest, "<")])
	}
	return strings.Join(out, ", ")
}

func TestSMSActivityReportForAnAdministrator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReportFixture(t, db)
		b := f.ts.browser(t)
		if st := b.login(f.admin.Email, storetest.TestPassword); st != http.StatusSeeOther {
			t.Fatalf("login: %d", st)
		}
		home, _ := b.get("/", http.StatusOK)
		if !strings.Contains(home, `href="/reports/sms-activity"`) {
			t.Error("the administrator's navigation has no Reports link")
		}

		// Every text of the company, though Dana is on no number.
		page, _ := b.get("/reports/sms-activity", http.StatusOK)
		for _, body := range append(f.ritaBodies, "Sam here: see you Monday.") {
			if !strings.Contains(page, body) {
				t.Errorf("the report lacks %q", body)
			}
		}
		if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the candidate's markup is not shown as text")
		}
		if got := totals(page); got != "Sent 3, Received 1, Failed 0" {
			t.Errorf("totals: %s", got)
		}
		for _, want := range []string{"Rita Recruiter", "Sam Sender", "Ann Tester", "Bob Tester", "Delivered", "Received", "<svg", "<title>",
			`<th scope="row">` + time.Now().In(f.org.Location()).Format("Mon, Jan 2") + `</th><td>3</td><td>1</td>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the report lacks %q", want)
			}
		}

		// Narrowed to Rita: her texts and her totals only.
		rita, _ := b.get("/reports/sms-activity?user_id="+idStr(int64(f.recruiter.ID)), http.StatusOK)
		if !strings.Contains(rita, f.ritaBodies[0]) || !strings.Contains(rita, f.ritaBodies[1]) || strings.Contains(rita, "Sam here") {
			t.Error("the report narrowed to Rita shows other texts")
		}
		if got := totals(rita); got != "Sent 2, Received 0, Failed 0" {
			t.Errorf("Rita's totals: %s", got)
		}
		csvRows, xlsxRows := f.downloads(t, b, "?user_id="+idStr(int64(f.recruiter.ID)))
		if len(csvRows) != 3 || len(xlsxRows) != 3 {
			t.Fatalf("Rita's downloads: %d CSV rows, %d XLSX rows; want a header and 2 texts", len(csvRows), len(xlsxRows))
		}

		// The whole month: the same rows in both files, formulas neutralised in CSV.
		csvRows, xlsxRows = f.downloads(t, b, "")
		if len(csvRows) != 5 {
			t.Fatalf("CSV has %d rows, want a header and 4 texts", len(csvRows))
		}
		sameRows(t, csvRows, xlsxRows)
		reply := csvRows[1] // newest first
		// Phones read as on screen, with no apostrophe; her text keeps its own.
		annPhone := phone.Format(f.ann.TextingPhone())
		if reply[7] != "'"+annReply || reply[6] != "Inbound" || reply[4] != "Ann Tester" || reply[5] != annPhone ||
			reply[2] != phone.Format(f.number.Phone) {
			t.Errorf("Ann's reply in CSV = %q, want her phone as %q", reply, annPhone)
		}
		if xlsxRows[1][7] != annReply || xlsxRows[1][5] != annPhone {
			t.Errorf("Ann's reply in XLSX = %q: XLSX keeps exact values in text cells", xlsxRows[1])
		}
		if csvRows[0][1] != "Date and time (America/Chicago)" || csvRows[0][7] != "Message text" {
			t.Errorf("CSV header = %q", csvRows[0])
		}
	})
}

// downloads fetches the report's CSV and XLSX with query and returns both
// as rows of cells.
func (f *reportFixture) downloads(t *testing.T, b *browser, query string) (csvRows, xlsxRows [][]string) {
	t.Helper()
	body, h := b.get("/reports/sms-activity.csv"+query, http.StatusOK)
	if h.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(h.Get("Content-Disposition"), `attachment; filename="sms-activity-`) {
		t.Errorf("CSV headers: %v", h)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Error("the CSV has no byte-order mark")
	}
	csvRows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	body, h = b.get("/reports/sms-activity.xlsx"+query, http.StatusOK)
	if !strings.Contains(h.Get("Content-Disposition"), `.xlsx"`) {
		t.Errorf("XLSX headers: %v", h)
	}
	return csvRows, readXLSX(t, []byte(body))
}

func readXLSX(t *testing.T, data []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows("SMS Activity")
	if err != nil {
		t.Fatalf("XLSX sheet: %v", err)
	}
	for i := 2; i <= len(rows); i++ { // a date filter needs date cells
		raw, _ := x.GetCellValue("SMS Activity", "B"+strconv.Itoa(i), excelize.Options{RawCellValue: true})
		if _, err := strconv.ParseFloat(raw, 64); err != nil {
			t.Errorf("XLSX row %d: the date and time is %q, not a date cell", i, raw)
		}
	}
	return rows
}

// sameRows checks that CSV and XLSX hold the same cells, apart from the
// apostrophe CSV puts before a cell a spreadsheet would run as a formula.
func sameRows(t *testing.T, csvRows, xlsxRows [][]string) {
	t.Helper()
	if len(csvRows) != len(xlsxRows) {
		t.Fatalf("%d CSV rows, %d XLSX rows", len(csvRows), len(xlsxRows))
	}
	for i := range csvRows {
		x := xlsxRows[i]
		for len(x) < len(csvRows[i]) {
			x = append(x, "") // GetRows drops trailing empty cells
		}
		for j, c := range csvRows[i] {
			want := x[j]
			if want != "" && strings.ContainsAny(want[:1], "=+-@\t\r") {
				want = "'" + want
			}
			if c != want {
				t.Errorf("row %d column %d: CSV %q, XLSX %q", i, j, c, x[j])
			}
		}
	}
}

func TestSMSActivityReportAPI(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newReportFixture(t, db)
	tok := token(t, db, f.admin)
	st, first := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?limit=3", "")
	msgs, _ := first["messages"].([]any)
	next, _ := first["next_cursor"].(string)
	summary, _ := first["summary"].(map[string]any)
	if st != http.StatusOK || len(msgs) != 3 || next == "" || summary == nil || first["timezone"] != "America/Chicago" {
		t.Fatalf("first page: %d %v", st, first)
	}
	if tot := summary["totals"].(map[string]any); tot["sent"] != 3.0 || tot["received"] != 1.0 || len(summary["numbers"].([]any)) != 2 {
		t.Errorf("summary = %v", summary)
	}
	reply := msgs[0].(map[string]any)
	if reply["body"] != annReply || reply["direction"] != "inbound" || reply["candidate_phone"] != f.ann.TextingPhone() ||
		reply["candidate_id"] != idString(f.ann.ID) || reply["sender"] != nil || !strings.HasSuffix(reply["created_at"].(string), "-05:00") &&
		!strings.HasSuffix(reply["created_at"].(string), "-06:00") {
		t.Errorf("reply = %v", reply)
	}
	st, second := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?limit=3&cursor="+url.QueryEscape(next), "")
	if msgs, _ := second["messages"].([]any); st != http.StatusOK || len(msgs) != 1 || second["next_cursor"] != nil || second["summary"] != nil {
		t.Errorf("second page: %d %v", st, second)
	}
	st, rita := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?user_id="+idString(f.recruiter.ID), "")
	if msgs, _ := rita["messages"].([]any); st != http.StatusOK || len(msgs) != 2 {
		t.Errorf("Rita's texts: %d %v", st, rita)
	}

	// format=csv streams the same file as the page's download.
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/reports/sms-activity?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || len(rows) != 5 {
		t.Errorf("API CSV: %d, %d rows, %v", resp.StatusCode, len(rows), err)
	}

	for query, field := range map[string]string{"from=2026-02-30": "from", "from=2026-03-10&to=2026-03-01": "to",
		"from=2025-01-01&to=2026-03-01": "to", "status=lost": "status", "direction=sideways": "direction", "number_id=abc": "number_id",
		"format=pdf": "format", "limit=0": "limit", "cursor=bogus": "cursor", "user_id=999999": "user_id"} {
		st, body := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?"+query, "")
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if st != http.StatusUnprocessableEntity || fields[field] == nil {
			t.Errorf("%s: %d %v, want 422 naming %s", query, st, body, field)
		}
	}
}

func idString[T ~int64](id T) string { return idStr(int64(id)) }

// TestSMSActivityReportAccess: only administrators and users with
// sms-report see the report, its downloads and its API; another company's
// administrator sees none of this company's texts.
func TestSMSActivityReportAccess(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newReportFixture(t, db)
	auditor := storetest.MustCreateUser(t, db, f.org.ID, "Avery Auditor", hiretext.RoleUser, hiretext.PermSMSReport)
	paths := []string{"/reports/sms-activity", "/reports/sms-activity.csv", "/reports/sms-activity.xlsx"}
	for _, c := range []struct {
		user *hiretext.User
		want int
	}{{f.recruiter, http.StatusForbidden}, {auditor, http.StatusOK}} {
		b := f.ts.browser(t)
		b.login(c.user.Email, storetest.TestPassword)
		for _, p := range paths {
			b.get(p, c.want)
		}
		if page, _ := b.get(paths[0], c.want); c.want == http.StatusOK && !strings.Contains(page, `<figure class="chart">`) {
			t.Errorf("%s: the report of a period with texts draws no chart", c.user.Name)
		}
		home, _ := b.get("/", http.StatusOK)
		if strings.Contains(home, `href="/reports/sms-activity"`) != (c.want == http.StatusOK) {
			t.Errorf("%s: Reports in the navigation is wrong", c.user.Name)
		}
		st, body := f.ts.api(t, token(t, db, c.user), "GET", "/api/v1/reports/sms-activity", "")
		if st != c.want || (c.want == http.StatusForbidden && errorCode(body) != "forbidden") {
			t.Errorf("%s: API %d %v, want %d", c.user.Name, st, body, c.want)
		}
	}
	anon := f.ts.browser(t)
	if st, _, h := anon.do("GET", "/reports/sms-activity.csv", nil); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous download: %d %v", st, h)
	}

	other := storetest.MustCreateOrg(t, db, "Other")
	otherAdmin := storetest.MustCreateUser(t, db, other.ID, "Olive Other", hiretext.RoleAdmin)
	b := f.ts.browser(t)
	b.login(otherAdmin.Email, storetest.TestPassword)
	page, _ := b.get("/reports/sms-activity", http.StatusOK)
	if strings.Contains(page, "Hi Ann") || !strings.Contains(page, "No texts match") || totals(page) != "Sent 0, Received 0, Failed 0" {
		t.Error("another company's administrator sees this company's texts")
	}
	if strings.Contains(page, `class="chart`) {
		t.Error("a report without texts draws an empty chart")
	}
	body, _ := b.get("/reports/sms-activity.csv", http.StatusOK)
	if rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll(); len(rows) != 1 {
		t.Errorf("another company's CSV has %d rows, want only the header", len(rows))
	}
	for _, q := range []string{"number_id=" + idString(f.number.ID), "user_id=" + idString(f.recruiter.ID), "candidate_id=" + idString(f.ann.ID)} {
		st, body := f.ts.api(t, token(t, db, otherAdmin), "GET", "/api/v1/reports/sms-activity?"+q, "")
		if st != http.StatusUnprocessableEntity || strings.Contains(fmt.Sprint(body), "Hi Ann") {
			t.Errorf("another company's %s: %d %v", q, st, body)
		}
	}
}

func TestSMSActivityReportFieldErrors(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	ts := newTestServer(t, db)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	for query, want := range map[string]string{
		"from=2026-02-30":                          `id="from-error">Enter the start date as YYYY-MM-DD`,
		"from=03/01/2026":                          `id="from-error">Enter the start date as YYYY-MM-DD`,
		"from=2026-03-10&to=2026-03-01":            `id="to-error">The end date is before the start date.`,
		"from=2025-01-01&to=2026-03-01":            `id="to-error">Choose at most 366 days`,
		"status=lost&direction=up&number_id=x":     `id="status-error">Choose a status from the list.`,
		"user_id=424242":                           `id="user_id-error">Choose a user from the list.`,
		"candidate_id=424242":                      `No such candidate.`,
		"from=2026-03-01&to=2026-03-31&cursor=abc": `Start again from the first page.`,
	} {
		page, _ := b.get("/reports/sms-activity?"+query, http.StatusUnprocessableEntity)
		if !strings.Contains(page, want) || !strings.Contains(page, `role="alert"`) {
			t.Errorf("%s: the page lacks %q", query, want)
		}
	}
	if st, _, _ := b.do("GET", "/reports/sms-activity.csv?from=nope", nil); st != http.StatusUnprocessableEntity {
		t.Errorf("a download with a bad date: %d, want 422", st)
	}
	if page, _ := b.get("/reports/sms-activity?from=2025-03-01&to=2026-02-28", http.StatusOK); !strings.Contains(page, "Mar 1, 2025 – Feb 28, 2026") {
		t.Error("a full year is refused or mislabelled")
	}
}

// TestSMSActivityReportDaysInCompanyTimeZone: a text at 23:30 in Chicago on
// March 31 (04:30 UTC on April 1) belongs to March 31.
func TestSMSActivityReportDaysInCompanyTimeZone(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	late := time.Date(2026, 3, 31, 23, 30, 0, 0, chicago)
	for name, open := range map[string]func(testing.TB, storetest.Config) *store.DB{"sqlite": storetest.NewSQLite, "postgres": storetest.NewPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t, storetest.Config{Clock: storetest.NewClock(late).Now})
			fx := storetest.MustSetUpTexting(t, db, 100)
			ann, _ := fx.MustCandidate(t, db, "Ann")
			fx.MustSend(t, db, "Late on the 31st", ann.ID)
			admin := storetest.MustCreateUser(t, db, fx.Org.ID, "Dana Admin", hiretext.RoleAdmin)
			ts := newTestServer(t, db)
			tok := token(t, db, admin)
			_, march := ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?from=2026-03-31&to=2026-03-31", "")
			msgs, _ := march["messages"].([]any)
			if len(msgs) != 1 || msgs[0].(map[string]any)["created_at"] != "2026-03-31T23:30:00-05:00" {
				t.Fatalf("March 31: %v", march)
			}
			days := march["summary"].(map[string]any)["days"].([]any)
			if d := days[0].(map[string]any); len(days) != 1 || d["date"] != "2026-03-31" || d["sent"] != 1.0 {
				t.Errorf("chart days: %v", days)
			}
			if _, april := ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?from=2026-04-01&to=2026-04-01", ""); len(april["messages"].([]any)) != 0 {
				t.Errorf("April 1 holds March 31's text: %v", april)
			}
			b := ts.browser(t)
			b.login(admin.Email, storetest.TestPassword)
			page, _ := b.get("/reports/sms-activity?from=2026-03-31&to=2026-03-31", http.StatusOK)
			if !strings.Contains(page, `<td class="nowrap">Mar 31, 2026<br><span class="muted">11:30 PM CDT</span></td>`) {
				t.Error("the page does not show the text at 11:30 PM on March 31")
			}
		})
	}
}

// failingStore loses the database after some rows of an export.
type failingStore struct {
	*store.DB
	after int
}

func (s failingStore) EachActivity(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter, fn func(*hiretext.ActivityRow) error) error {
	n := 0
	return s.DB.EachActivity(ctx, org, f, func(r *hiretext.ActivityRow) error {
		if n++; n > s.after {
			return errors.New("store: connection reset")
		}
		return fn(r)
	})
}

// TestExportFailureIsNeverATruncatedFile: a failure before the first byte
// is an error response; a failure after it cuts the connection, so the
// client sees a broken download, not a shorter file that looks complete.
func TestExportFailureIsNeverATruncatedFile(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	co := seedReport(t, db, 1500, 20)
	for _, c := range []struct {
		after  int
		status int
	}{{0, http.StatusInternalServerError}, {1000, http.StatusOK}} {
		base, _ := url.Parse("http://example.invalid")
		srv, err := server.New(context.Background(), server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t)},
			failingStore{DB: db, after: c.after})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		for _, format := range []string{"csv", "xlsx"} {
			req, _ := http.NewRequest("GET", hs.URL+"/api/v1/reports/sms-activity?from=2025-03-01&to=2026-03-01&format="+format, nil)
			req.Header.Set("Authorization", "Bearer "+co.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := c.status
			if format == "xlsx" {
				want = http.StatusInternalServerError // nothing is sent before the last row
			}
			switch {
			case resp.StatusCode != want:
				t.Errorf("%s failing after %d rows: %d, want %d", format, c.after, resp.StatusCode, want)
			case want == http.StatusOK && !errors.Is(readErr, io.ErrUnexpectedEOF):
				t.Errorf("%s failing after %d rows: the body ended with %v, want a cut connection", format, c.after, readErr)
			case want != http.StatusOK && resp.Header.Get("Content-Disposition") != "":
				t.Errorf("%s failing after %d rows: the error is sent as a download", format, c.after)
			}
		}
		hs.Close()
	}
}

// TestSMSActivityReportShowsWhenAHeldTextGoes: a text scheduled for later
// is listed with the minute it waits for, in the candidate's time, as the
// conversation shows it, on the page and in its CSV and XLSX downloads; the API gives it as send_at; the texts that
// never waited show none.
func TestSMSActivityReportShowsWhenAHeldTextGoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReportFixture(t, db)
		chicago, err := time.LoadLocation("America/Chicago") // the zone of Ann's phone, area code 312
		if err != nil {
			t.Fatal(err)
		}
		later := time.Now().In(chicago).AddDate(0, 0, 2)
		later = time.Date(later.Year(), later.Month(), later.Day(), 10, 0, 0, 0, chicago)
		res, err := db.SendMessages(t.Context(), hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{f.ann.ID}, Body: "Your interview moved to Thursday.", SendAt: later})
		if err != nil || !res[0].Scheduled {
			t.Fatalf("schedule: %+v, %v", res, err)
		}
		b := f.ts.browser(t)
		if st := b.login(f.admin.Email, storetest.TestPassword); st != http.StatusSeeOther {
			t.Fatalf("login: %d", st)
		}
		page, _ := b.get("/reports/sms-activity", http.StatusOK)
		want := "Scheduled · 10:00 AM " + later.Format("Jan 2") + ", their time"
		if strings.Count(page, want) != 1 || !strings.Contains(page, "Your interview moved to Thursday.") {
			t.Errorf("the report does not show the held text going at %q:\n%s", want, page)
		}
		if strings.Count(page, "Scheduled · ") != 1 {
			t.Errorf("texts that never waited show a minute:\n%s", page)
		}

		// The CSV and XLSX downloads say the same in their Status column.
		csvRows, xlsxRows := f.downloads(t, b, "?status=scheduled")
		for format, rows := range map[string][][]string{"CSV": csvRows, "XLSX": xlsxRows} {
			if len(rows) != 2 || rows[1][8] != want {
				t.Errorf("the %s download of the scheduled texts: %q, want one row with the status %q", format, rows, want)
			}
		}

		// The API gives the minute with the company's offset, null for the others.
		tok := token(t, db, f.admin)
		st, out := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?status=scheduled", "")
		msgs, _ := out["messages"].([]any)
		if st != http.StatusOK || len(msgs) != 1 {
			t.Fatalf("GET the scheduled texts: %d %v", st, out)
		}
		if got, _ := msgs[0].(map[string]any)["send_at"].(string); got != later.In(f.org.Location()).Format(time.RFC3339) {
			t.Errorf("send_at = %q, want %s", got, later.In(f.org.Location()).Format(time.RFC3339))
		}
		_, all := f.ts.api(t, tok, "GET", "/api/v1/reports/sms-activity?status=delivered", "")
		delivered, _ := all["messages"].([]any)
		if len(delivered) == 0 {
			t.Fatalf("no delivered texts: %v", all)
		}
		for _, m := range delivered {
			if at := m.(map[string]any)["send_at"]; at != nil {
				t.Errorf("a delivered text that never waited has send_at %v", at)
			}
		}
	})
}
