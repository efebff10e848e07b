package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// The candidate table of the pool and of a job's applicants: its rows, its
// pager, and the bulk actions on the candidates ticked in it.

// candidateRow is one row of a candidate table (the pool, a job's
// applicants). The Actions cell carries data-candidate-id so per-row actions
// (the texting icon) can join it.
type candidateRow struct {
	ID             hiretext.CandidateID
	Name           string
	Email          string
	MainPhone      string // formatted
	AlternatePhone string // formatted, or ""
	OptedIn        bool
	SMSLabel       string
	JobTitle       string
	JobURL         string // "" when the user may not open job postings
	AppliedAt      string // in the company's time zone
	ProfileURL     string // "" when the user may not open profiles
	SMSURL         string // the conversation, when the user may text this candidate
	Texted         bool   // the user's number has a conversation with the candidate
}

// timeLayout is how pages show times (as localtime does).
const timeLayout = "Jan 2, 2006 3:04 PM MST"

// candidateTable is the data of the candidate-table partial: rows with
// checkboxes in a bulk form posting to Action.
type candidateTable struct {
	Caption string
	Action  string
	Rows    []candidateRow
	Empty   string // shown when there are no rows
	CanText bool   // the user texts from a number and reads its texts: offer "Text selected"
	// ReturnTo is the list's own address, filters and page included: where
	// a bulk action with nothing selected, and a bulk send's results, lead
	// back to.
	ReturnTo string
	// ShowJob names each row's job in the Applied column; a job's own
	// applicants show only the date.
	ShowJob bool
	// JobID is the job of a Job Posting page's table, whose title the
	// texts sent from it name for {JobTitle}; "" elsewhere.
	JobID string
	Pager pager
}

// pager is the data of the pager partial: which rows of a list the page
// shows ("Showing 51–100 of 1,234") and links to the pages either side,
// which keep the list's filters.
type pager struct {
	Summary          string
	PrevURL, NextURL string
}

// newPager describes page, the number-th page of a list of noun (plural)
// whose addresses link builds from a position and a page number. The number
// comes from the address and only labels rows (keyset pages have no
// offset), so it is corrected where the page itself tells otherwise: a page
// with nothing before it is the first.
func newPager(page *hiretext.CandidatePage, number int, noun string, link func(v url.Values) string) pager {
	n := len(page.Entries)
	if n == 0 {
		return pager{}
	}
	if page.PrevCursor == "" {
		number = 1
	} else {
		number = max(number, 2)
	}
	var p pager
	first := (number-1)*hiretext.DefaultPageSize + 1
	switch {
	case page.Total == n && number == 1:
		p.Summary = groupDigits(n) + " " + noun
		if n == 1 {
			p.Summary = "1 " + strings.TrimSuffix(noun, "s")
		}
	case page.Total != hiretext.TotalUnknown:
		if page.NextCursor == "" || first+n-1 > page.Total {
			first = max(page.Total-n+1, 1)
		}
		p.Summary = "Showing " + groupDigits(first) + "–" + groupDigits(first+n-1) + " of " + groupDigits(page.Total) + " " + noun
	default:
		p.Summary = "Showing " + groupDigits(first) + "–" + groupDigits(first+n-1)
	}
	if page.NextCursor != "" {
		p.NextURL = link(url.Values{"cursor": {page.NextCursor}, "page": {strconv.Itoa(number + 1)}})
	}
	switch {
	case number == 2:
		p.PrevURL = link(url.Values{})
	case page.PrevCursor != "":
		p.PrevURL = link(url.Values{"before": {page.PrevCursor}, "page": {strconv.Itoa(number - 1)}})
	}
	return p
}

// candidateRows turns a pool page into table rows for p's user. Times are
// formatted here with the time zone loaded once, not once per row.
func candidateRows(entries []*hiretext.PoolEntry, p *principal) []candidateRow {
	u, loc := p.user, p.org.Location()
	rows := make([]candidateRow, len(entries))
	for i, e := range entries {
		c := e.Candidate
		rows[i] = candidateRow{ID: c.ID, Name: c.Name(), Email: c.Email, MainPhone: phone.Format(c.MainPhone),
			AlternatePhone: formatOptional(c.AlternatePhone), OptedIn: c.OptedIn(), SMSLabel: c.SMSLabel(),
			JobTitle: e.Application.JobTitle, AppliedAt: e.Application.CreatedAt.In(loc).Format(timeLayout)}
		if u.Can(hiretext.PermProfiles) {
			rows[i].ProfileURL = "/candidates/" + idString(c.ID)
		}
		if u.Can(hiretext.PermJobs) {
			rows[i].JobURL = "/jobs/" + idString(e.Application.JobID)
		}
	}
	return rows
}

// pageNumber reads the page number of a list's address: 1 when absent or
// not a positive number.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// groupDigits writes n with thousands separators: 100000 → "100,000".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// selectedCandidates reads the ids of the checked rows of a bulk form.
func selectedCandidates(r *http.Request) ([]hiretext.CandidateID, error) {
	if err := r.ParseForm(); err != nil {
		return nil, badForm(err)
	}
	var ids []hiretext.CandidateID
	for _, v := range r.PostForm["candidate"] {
		id, ok := parseID[hiretext.CandidateID](v)
		if !ok {
			return nil, hiretext.Errorf(hiretext.EBadRequest, "The selection could not be read.")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, hiretext.Errorf(hiretext.EInvalid, "Select at least one candidate first.")
	}
	return ids, nil
}

// withSelection guards a bulk action of a candidate table (verb says what
// it does, e.g. "text"): submitted with no candidate ticked, which the page
// script prevents but a page without it cannot, it sends the user back to
// the list they came from, filters and page kept, with a flash saying what
// to do, instead of an error page that loses the list.
func (s *Server) withSelection(verb string, next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return badForm(err)
		}
		if len(r.PostForm["candidate"]) > 0 {
			return next(w, r)
		}
		return s.redirectWithFlash(w, r, safeNext(r.PostForm.Get("return_to")), "error",
			"Select at least one candidate to "+verb+".")
	}
}
