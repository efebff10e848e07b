package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// driveLimit is how many matching terms a query word may have for the
// search to start from that word's matches (and sort them); a word with
// more matches is common enough that walking the pool in order and checking
// each candidate finds a page sooner. Counting stops at the limit, so the
// estimate itself costs at most one short index range.
const driveLimit = 5000

// SearchCandidates returns one page of org's candidate pool, newest
// application first. Pages are keyset-paginated: the cursor is the position
// (application id) of the previous page's last row, so a page costs the same
// however deep it is and rows never repeat or vanish between pages; Before
// reads the page before a position the same way. The total is counted when
// that is cheap (see poolCount).
func (db *DB) SearchCandidates(ctx context.Context, org hiretext.OrgID, q hiretext.CandidateQuery) (*hiretext.CandidatePage, error) {
	return db.searchCandidates(ctx, org, q, driveLimit)
}

// searchCandidates is SearchCandidates with the limit under which a word
// drives the search (tests force each plan with it).
func (db *DB) searchCandidates(ctx context.Context, org hiretext.OrgID, q hiretext.CandidateQuery, limit int) (*hiretext.CandidatePage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var pos keyRange
	var err error
	if pos.after, err = parseCursor(q.Cursor); err != nil {
		return nil, err
	}
	if pos.before, err = parseCursor(q.Before); err != nil {
		return nil, err
	}
	r := db.reader()
	words := searchWords(q.Text)
	drive, err := selectiveWord(ctx, r, org, words, limit)
	if err != nil {
		return nil, err
	}
	page, err := poolPage(ctx, r, org, q, words, drive, limit, pos)
	if err != nil {
		return nil, err
	}
	page.Total, err = db.poolTotal(ctx, r, org, q, words, drive, page)
	return page, err
}

// keyRange is where a page starts: after a position (the next page) or
// before one (the previous page); zero values for the first page.
type keyRange struct{ after, before int64 }

// poolPage reads one page. A previous page is read upwards from its
// position, so its extra row, which says whether more pages come before it,
// is its first.
func poolPage(ctx context.Context, r conn, org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive, limit int, pos keyRange) (*hiretext.CandidatePage, error) {
	query, args := poolQuery(org, q, words, drive, limit, pos)
	entries, err := queryAll(ctx, r, scanPoolEntry, query, args...)
	if err != nil {
		return nil, err
	}
	page := &hiretext.CandidatePage{Entries: entries}
	more := len(page.Entries) > q.Limit
	if pos.before > 0 {
		if more {
			page.Entries = page.Entries[1:]
		}
		if len(page.Entries) > 0 {
			page.NextCursor = positionOf(page.Entries[len(page.Entries)-1])
			if more {
				page.PrevCursor = positionOf(page.Entries[0])
			}
		}
		return page, nil
	}
	if more {
		page.Entries = page.Entries[:q.Limit]
		page.NextCursor = positionOf(page.Entries[q.Limit-1])
	}
	if pos.after > 0 && len(page.Entries) > 0 {
		page.PrevCursor = positionOf(page.Entries[0])
	}
	return page, nil
}

// scanPoolEntry reads a pool row: a candidate and the application it is
// listed by.
func scanPoolEntry(row scanner) (*hiretext.PoolEntry, error) {
	e := &hiretext.PoolEntry{}
	var err error
	e.Candidate, err = scanCandidate(row, &e.Application.ID, &e.Application.JobID,
		&e.Application.JobTitle, &e.Application.CreatedAt)
	return e, err
}

// positionOf is the cursor of a pool row: its application id.
func positionOf(e *hiretext.PoolEntry) string {
	return strconv.FormatInt(int64(e.Application.ID), 10)
}

// poolTotal counts the candidates matching q, or returns TotalUnknown when
// that would cost more than a page (see poolCount). A first page without a
// next one holds them all, which needs no count.
func (db *DB) poolTotal(ctx context.Context, r conn, org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive int, page *hiretext.CandidatePage) (int, error) {
	if q.Cursor == "" && q.Before == "" && page.NextCursor == "" {
		return len(page.Entries), nil
	}
	if len(words) == 0 && q.JobID == 0 {
		return db.countPool(ctx, r, org, q.SMSStatus)
	}
	query, args, ok := poolCount(org, q, words, drive)
	if !ok {
		return hiretext.TotalUnknown, nil
	}
	var n int
	err := r.queryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// poolCount returns the query counting the candidates that match q when it
// is about as cheap as a page (the pool or one SMS status are counted by
// countPool): a job's applicant counter; one rare word alone, its fewer
// than driveLimit terms. Anything else checks each candidate it visits (a job
// and a status: each of the job's applicants; several words: each
// candidate of the rarest) and would double the page's cost, or, for a
// common word, read the whole pool: not ok.
func poolCount(org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive int) (string, []any, bool) {
	switch {
	case len(words) == 0 && q.JobID != 0 && q.SMSStatus == "":
		return `SELECT COALESCE(SUM(applicants), 0) FROM jobs WHERE org_id = ? AND id = ?`, []any{org, q.JobID}, true
	case len(words) == 1 && drive == 0 && q.JobID == 0 && q.SMSStatus == "":
		return `SELECT COUNT(DISTINCT candidate_id) FROM candidate_terms WHERE org_id = ? AND term >= ? AND term < ?`,
			[]any{org, words[0], prefixEnd(words[0])}, true
	}
	return "", nil, false
}

// parseCursor reads a page cursor; "" is the first page.
func parseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, hiretext.FieldError("The page cursor is not valid.", map[string]string{"cursor": "Use the next_cursor of a previous page."})
	}
	return n, nil
}

// selectiveWord returns the index of the word with the fewest matching
// terms when that is under limit, or -1.
func selectiveWord(ctx context.Context, r conn, org hiretext.OrgID, words []string, limit int) (int, error) {
	best, fewest := -1, limit
	for i, w := range words {
		var n int
		err := r.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM candidate_terms
			WHERE org_id = ? AND term >= ? AND term < ? LIMIT ?) s`, org, w, prefixEnd(w), limit).Scan(&n)
		if err != nil {
			return -1, err
		}
		if n < fewest {
			best, fewest = i, n
		}
	}
	return best, nil
}

// poolQuery builds the page query in two steps: pageKeys finds the page's
// candidates and their positions touching as few rows as it can, then only
// those rows are joined to their application and job.
func poolQuery(org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive, limit int, pos keyRange) (string, []any) {
	keys, args := pageKeys(org, q, words, drive, limit, pos)
	return "SELECT " + candidateColumns + ", a.id, a.job_id, j.title, a.created_at FROM (" + keys + `) p
		CROSS JOIN candidates c CROSS JOIN applications a CROSS JOIN jobs j
		WHERE c.id = p.cid AND a.id = p.k AND j.id = a.job_id ORDER BY p.k DESC`, args
}

// pageKeys selects one page of (cid, k): candidate ids and their positions,
// one more than the page to tell whether another page follows. A page
// before pos.before is read upwards (ascending), nearest first.
func pageKeys(org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive, limit int, pos keyRange) (string, []any) {
	b, key := poolKeys(org, q, words, drive, limit)
	order := " DESC"
	switch {
	case pos.after > 0:
		b.where(key+" < ?", pos.after)
	case pos.before > 0:
		b.where(key+" > ?", pos.before)
		order = " ASC"
	}
	return "SELECT c.id AS cid, " + key + " AS k FROM " + strings.Join(b.tables, " CROSS JOIN ") +
		" WHERE " + strings.Join(b.conds, " AND ") + " ORDER BY " + key + order + " LIMIT ?", b.args(q.Limit + 1)
}

// poolKeys returns the tables and conditions that select the pool's rows
// matching q, and the expression of their position: the id of the
// candidate's newest application (to the job, with a job filter). With a
// selective word it starts from that word's candidates; otherwise it walks
// the pool in order (candidates_org_recent, or the job's applications on
// applications_org_job_recent), which a page stops early. Other words are
// checked per candidate on candidate_terms_candidate. Tables are CROSS
// JOINed in the order to visit them, which SQLite follows (it has no
// statistics to find it) and PostgreSQL plans freely.
func poolKeys(org hiretext.OrgID, q hiretext.CandidateQuery, words []string, drive, limit int) (*sqlParts, string) {
	b := &sqlParts{}
	if drive >= 0 {
		// The LIMIT (never reached: the word has fewer matches) keeps the
		// range scan on the primary key; SQLite would otherwise walk every
		// term of the company on candidate_terms_candidate for the DISTINCT.
		b.from(`(SELECT DISTINCT candidate_id FROM (SELECT candidate_id FROM candidate_terms
			WHERE org_id = ? AND term >= ? AND term < ? LIMIT ?) m) t`, org, words[drive], prefixEnd(words[drive]), limit)
		b.where("c.id = t.candidate_id")
	}
	key := "c.last_application_id"
	if q.JobID != 0 {
		key = "x.id"
		b.where(`x.org_id = ? AND x.job_id = ? AND x.candidate_id = c.id AND NOT EXISTS (SELECT 1 FROM applications n
			WHERE n.org_id = x.org_id AND n.job_id = x.job_id AND n.candidate_id = x.candidate_id AND n.id > x.id)`, org, q.JobID)
	}
	if q.JobID != 0 && drive < 0 {
		b.from("applications x")
	}
	b.from("candidates c")
	if q.JobID != 0 && drive >= 0 {
		b.from("applications x")
	}
	b.where("c.org_id = ?", org)
	b.where("c.last_application_id IS NOT NULL") // an erased candidate has left the pool
	for i, w := range words {
		if i != drive {
			b.where(`EXISTS (SELECT 1 FROM candidate_terms s
				WHERE s.org_id = c.org_id AND s.candidate_id = c.id AND s.term >= ? AND s.term < ?)`, w, prefixEnd(w))
		}
	}
	if q.SMSStatus != "" {
		b.where("c.sms_status = ?", q.SMSStatus)
	}
	return b, key
}

// sqlParts collects a query's tables and conditions with their arguments,
// which the query text needs in that order.
type sqlParts struct {
	tables, conds       []string
	fromArgs, whereArgs []any
}

func (p *sqlParts) from(table string, args ...any) {
	p.tables, p.fromArgs = append(p.tables, table), append(p.fromArgs, args...)
}

func (p *sqlParts) where(cond string, args ...any) {
	p.conds, p.whereArgs = append(p.conds, cond), append(p.whereArgs, args...)
}

func (p *sqlParts) args(last ...any) []any {
	return append(append(append([]any{}, p.fromArgs...), p.whereArgs...), last...)
}
