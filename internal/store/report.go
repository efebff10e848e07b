package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// The SMS Activity report reads messages by time, keyset-paginated on
// (created_at, id); see migrations 0006_report.sql for the indexes behind
// the filters and the summary. Exports read the same query without a limit,
// row by row from the read pool, so their memory does not grow with the
// number of texts.

// activityColumns are the report's columns in scanActivity's order. The
// candidate's phone is the remote one: the recipient of an outbound text,
// the sender of an inbound one.
const activityColumns = `m.id, m.created_at, m.number_id, COALESCE(n.phone, ''), COALESCE(m.user_id, 0), COALESCE(u.name, ''),
	COALESCE(m.candidate_id, 0), CASE WHEN c.erased_at IS NULL THEN COALESCE(c.first_name || ' ' || c.last_name, '')
		ELSE '` + hiretext.ErasedCandidate + `' END,
	CASE WHEN m.direction = 'outbound' THEN m.to_phone ELSE m.from_phone END,
	m.direction, m.kind, CASE WHEN m.erased_at IS NULL THEN m.body ELSE '` + hiretext.ErasedBody + `' END, m.status, m.error_code, m.error_message, m.segments,
	m.template_name, m.send_at, m.media_count`

// activityJoins join what a row shows. LEFT JOINs keep messages the outer
// table, so SQLite walks messages in index order and stops after a page.
const activityJoins = `
	LEFT JOIN numbers n ON n.id = m.number_id AND n.org_id = m.org_id
	LEFT JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
	LEFT JOIN candidates c ON c.id = m.candidate_id AND c.org_id = m.org_id`

// activityIndex names the index that serves a page or export of f best: the
// narrowest one its equalities select. Each walks the period in time order;
// without statistics SQLite would take the widest one and filter a million
// texts to fill a page of one candidate's.
func activityIndex(f hiretext.ActivityFilter) string {
	switch {
	case f.CandidateID != 0:
		return "messages_report_candidate"
	case f.UserID != 0:
		return "messages_report_user"
	case f.NumberID != 0:
		return "messages_report_number"
	case f.Status != "":
		return "messages_report_status"
	}
	return "messages_report_time"
}

// summaryIndex names the index the summary of f reads: messages_report_time
// holds every column the summary counts by and filters on but the candidate,
// so it is read alone, without the table; one candidate's texts are few.
func summaryIndex(f hiretext.ActivityFilter) string {
	if f.CandidateID != 0 {
		return "messages_report_candidate"
	}
	return "messages_report_time"
}

// activityFrom is the FROM clause of the report's rows for f.
func (db *DB) activityFrom(f hiretext.ActivityFilter) string {
	return " FROM messages m" + db.dialect.indexedBy(activityIndex(f)) + activityJoins
}

func scanActivity(s scanner, r *hiretext.ActivityRow) error {
	err := s.Scan(&r.MessageID, &r.CreatedAt, &r.NumberID, &r.NumberPhone, &r.UserID, &r.UserName, &r.CandidateID,
		&r.CandidateName, &r.CandidatePhone, &r.Direction, &r.Kind, &r.Body, &r.Status, &r.ErrorCode, &r.ErrorMessage, &r.Segments,
		&r.TemplateName, optionalTime{&r.SendAt}, &r.Attachments)
	r.CandidateName = strings.TrimSpace(r.CandidateName)
	return err
}

// activityWhere is the WHERE clause of a filter, company first.
func activityWhere(org hiretext.OrgID, f hiretext.ActivityFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(" WHERE m.org_id = ? AND m.created_at >= ? AND m.created_at < ?")
	args := []any{org, f.Period.Start().UTC(), f.Period.End().UTC()}
	add := func(cond string, v any) {
		b.WriteString(" AND " + cond + " = ?")
		args = append(args, v)
	}
	if f.NumberID != 0 {
		add("m.number_id", f.NumberID)
	}
	if f.UserID != 0 {
		add("m.user_id", f.UserID)
	}
	if f.CandidateID != 0 {
		add("m.candidate_id", f.CandidateID)
	}
	if f.Direction != "" {
		add("m.direction", f.Direction)
	}
	if f.Status != "" {
		add("m.status", f.Status)
	}
	return b.String(), args
}

func activityOrder(oldestFirst bool) string {
	if oldestFirst {
		return " ORDER BY m.created_at, m.id"
	}
	return " ORDER BY m.created_at DESC, m.id DESC"
}

// ActivityPage returns one page of the texts q selects, newest first unless
// q.OldestFirst, and the cursor of the next page.
func (db *DB) ActivityPage(ctx context.Context, org hiretext.OrgID, q hiretext.ActivityQuery) (*hiretext.ActivityPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = hiretext.DefaultActivityLimit
	}
	limit = min(limit, hiretext.MaxActivityLimit)
	where, args := activityWhere(org, q.ActivityFilter)
	if q.Cursor != "" {
		c, err := parseActivityCursor(q.Cursor, q.OldestFirst)
		if err != nil {
			return nil, err
		}
		// The redundant "created_at <=" bounds the index range; the OR
		// breaks ties between texts of the same microsecond.
		op := "<"
		if q.OldestFirst {
			op = ">"
		}
		where += " AND m.created_at " + op + "= ? AND (m.created_at " + op + " ? OR m.id " + op + " ?)"
		args = append(args, c.at, c.at, c.id)
	}
	page := &hiretext.ActivityPage{Rows: make([]hiretext.ActivityRow, 0, limit)}
	err := queryEach(ctx, db.reader(), func(row scanner) error {
		var r hiretext.ActivityRow
		if err := scanActivity(row, &r); err != nil {
			return err
		}
		page.Rows = append(page.Rows, r)
		return nil
	}, "SELECT "+activityColumns+db.activityFrom(q.ActivityFilter)+where+activityOrder(q.OldestFirst)+" LIMIT ?",
		append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.NextCursor = activityCursor{at: last.CreatedAt, id: int64(last.MessageID), oldest: q.OldestFirst}.String()
	}
	return page, nil
}

// EachActivity calls fn with every text f selects, in the report's order,
// scanning each row into the same ActivityRow as it arrives from the
// database: memory stays flat however many texts there are. It reads on
// the export pool, whose connection it holds while fn writes to a client.
func (db *DB) EachActivity(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter, fn func(*hiretext.ActivityRow) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	where, args := activityWhere(org, f)
	rows, err := db.exporter().query(ctx, "SELECT "+activityColumns+db.activityFrom(f)+where+activityOrder(f.OldestFirst), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r hiretext.ActivityRow
	for rows.Next() {
		if err := scanActivity(rows, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// activityCursor is a position in the report: the last row of a page, and
// the order it was read in (a cursor of one order is refused by the other).
// The audit trail's pages use it too, with the entry's time and id.
type activityCursor struct {
	at     time.Time
	id     int64
	oldest bool
}

// String encodes the cursor opaquely: "n" or "o", then the time in Unix
// microseconds and the id, base64url-encoded.
func (c activityCursor) String() string {
	dir := "n"
	if c.oldest {
		dir = "o"
	}
	raw := dir + strconv.FormatInt(c.at.UnixMicro(), 10) + "." + strconv.FormatInt(int64(c.id), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseActivityCursor(s string, oldest bool) (activityCursor, error) {
	bad := hiretext.FieldError("This page link is damaged or belongs to the other sort order; start from the first page.",
		map[string]string{"cursor": "Start again from the first page."})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 {
		return activityCursor{}, bad
	}
	dir := "n"
	if oldest {
		dir = "o"
	}
	at, id, ok := strings.Cut(string(raw[1:]), ".")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if string(raw[:1]) != dir || !ok || err1 != nil || err2 != nil || n <= 0 {
		return activityCursor{}, bad
	}
	return activityCursor{at: time.UnixMicro(micros).UTC(), id: n, oldest: oldest}, nil
}

// ActivitySummary totals the texts f selects: overall, per number (with each
// number's allowance usage in every month of the period), per sender and per
// day of the company's time zone. It adds up the daily counters
// (countedSummary), and reads one candidate's texts themselves
// (scannedSummary), by day, number, sender, direction and status: SQLite
// has no hash aggregation, and sorting a year of a million texts for a
// GROUP BY took six times as long as reading them. Memory holds a counter
// per group (at most days × senders × statuses), never the rows.
func (db *DB) ActivitySummary(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (*hiretext.ActivitySummary, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	counted, err := db.countedSummary(ctx, org, f)
	if err != nil {
		return nil, err
	}
	counts := counted
	if counts == nil {
		if counts, err = db.scannedSummary(ctx, org, f); err != nil {
			return nil, err
		}
	}
	b := newSummaryBuilder(f.Period)
	for k, c := range counts {
		b.add(k, c)
	}
	if f.NumberID != 0 {
		b.number(f.NumberID) // shown with its usage even without texts
	}
	return b.finish(ctx, db.reader(), org)
}

// countedSummary adds up the daily counters (activity_count.go) of the
// texts f selects: a few rows per day and number however many texts there
// are. It returns nil when they cannot answer: one candidate's texts (the
// counters do not count by candidate; their texts are few, so they are
// read) or a period in another time zone than the company's.
func (db *DB) countedSummary(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (map[activityKey]activityCount, error) {
	if f.CandidateID != 0 {
		return nil, nil
	}
	loc, err := db.orgLocation(ctx, db.reader(), org)
	if err != nil || loc.String() != f.Period.Location().String() {
		return nil, err
	}
	query := `SELECT day, number_id, user_id, direction, status, texts, segments FROM activity_daily
		WHERE org_id = ? AND day >= ? AND day < ? AND texts <> 0`
	args := []any{org, epochDay(f.Period.Start()), epochDay(f.Period.End())}
	if f.NumberID != 0 {
		query += " AND number_id = ?"
		args = append(args, f.NumberID)
	}
	if f.UserID != 0 {
		query += " AND user_id = ?"
		args = append(args, f.UserID)
	}
	if f.Direction != "" {
		query += " AND direction = ?"
		args = append(args, f.Direction)
	}
	if f.Status != "" {
		query += " AND status = ?"
		args = append(args, f.Status)
	}
	counts := map[activityKey]activityCount{}
	err = queryEach(ctx, db.reader(), func(row scanner) error {
		var k activityKey
		var c activityCount
		if err := row.Scan(&k.day, &k.number, &k.user, &k.dir, &k.status, &c.n, &c.segments); err != nil {
			return err
		}
		counts[k] = c
		return nil
	}, query, args...)
	return counts, err
}

// scannedSummary counts the texts f selects one by one, from the covering
// index messages_report_time (one candidate's from theirs).
func (db *DB) scannedSummary(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (map[activityKey]activityCount, error) {
	where, args := activityWhere(org, f)
	rows, err := db.reader().query(ctx, db.summarySelect(f)+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	days := newLocalDays(f.Period)
	counts := map[activityKey]activityCount{}
	var sec int64
	var k activityKey
	var dir, status sql.RawBytes // read without allocating; interned below
	var segments int
	for rows.Next() {
		if err := rows.Scan(&sec, &k.number, &k.user, &dir, &status, &segments); err != nil {
			return nil, err
		}
		k.day, k.dir, k.status = days.of(sec), internDirection(dir), internStatus(status)
		c := counts[k]
		c.n, c.segments = c.n+1, c.segments+segments
		counts[k] = c
	}
	return counts, rows.Err()
}

// summarySelect reads what the summary counts, through the index that holds it.
func (db *DB) summarySelect(f hiretext.ActivityFilter) string {
	return "SELECT " + db.dialect.epochSeconds("m.created_at") + `, m.number_id, COALESCE(m.user_id, 0), m.direction, m.status,
		m.segments FROM messages m` + db.dialect.indexedBy(summaryIndex(f))
}

// activityKey is one group of the summary.
type activityKey struct {
	day    int64 // days since the epoch, in the company's time zone
	number hiretext.NumberID
	user   hiretext.UserID // 0: no user, the automatic replies to keywords
	dir    hiretext.Direction
	status hiretext.MessageStatus
}

// activityCount is a group's texts and their segments.
type activityCount struct{ n, segments int }

// messageStatuses lists every status, to intern the ones read.
var messageStatuses = []hiretext.MessageStatus{hiretext.StatusScheduled, hiretext.StatusQueued, hiretext.StatusSending, hiretext.StatusSent,
	hiretext.StatusDelivered, hiretext.StatusUndelivered, hiretext.StatusFailed, hiretext.StatusCanceled, hiretext.StatusReceived}

func internStatus(b []byte) hiretext.MessageStatus {
	for _, s := range messageStatuses {
		if string(b) == string(s) {
			return s
		}
	}
	return hiretext.MessageStatus(b)
}

func internDirection(b []byte) hiretext.Direction {
	if string(b) == string(hiretext.Outbound) {
		return hiretext.Outbound
	}
	return hiretext.Inbound
}

// localDays numbers the days of a period's time zone from Unix seconds. A
// zone's UTC offset changes at daylight saving time, so it keeps the offset
// of each stretch of the period (a year in Chicago has three).
type localDays []zoneSpan

func newLocalDays(p hiretext.ReportPeriod) localDays { return zoneSpans(p) }

// of returns the day, as days since the epoch, of the instant sec.
func (l localDays) of(sec int64) int64 {
	offset := l[len(l)-1].offset
	for _, s := range l {
		if sec < s.until {
			offset = s.offset
			break
		}
	}
	return (sec + int64(offset)) / 86400
}

// summaryBuilder adds up aggregate rows into an ActivitySummary.
type summaryBuilder struct {
	period  hiretext.ReportPeriod
	s       hiretext.ActivitySummary
	days    map[int64]int // epoch day → index in s.Days
	numbers map[hiretext.NumberID]*hiretext.NumberActivity
	users   map[hiretext.UserID]*hiretext.UserActivity
}

func newSummaryBuilder(p hiretext.ReportPeriod) *summaryBuilder {
	b := &summaryBuilder{period: p, days: map[int64]int{}, numbers: map[hiretext.NumberID]*hiretext.NumberActivity{},
		users: map[hiretext.UserID]*hiretext.UserActivity{}}
	for i, d := range p.EachDay() {
		b.s.Days = append(b.s.Days, hiretext.DayActivity{Day: d})
		b.days[epochDay(d)] = i
	}
	return b
}

// epochDay numbers the calendar day of t's wall clock from the Unix epoch.
func epochDay(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func (b *summaryBuilder) number(id hiretext.NumberID) *hiretext.NumberActivity {
	n := b.numbers[id]
	if n == nil {
		n = &hiretext.NumberActivity{NumberID: id}
		b.numbers[id] = n
	}
	return n
}

func (b *summaryBuilder) add(k activityKey, c activityCount) {
	b.s.Totals.Add(k.dir, k.status, c.n, c.segments)
	b.number(k.number).Add(k.dir, k.status, c.n, c.segments)
	if k.dir == hiretext.Outbound {
		u := b.users[k.user]
		if u == nil {
			u = &hiretext.UserActivity{UserID: k.user}
			b.users[k.user] = u
		}
		u.Add(k.dir, k.status, c.n, c.segments)
	}
	if i, ok := b.days[k.day]; ok {
		var day hiretext.ActivityCounts
		day.Add(k.dir, k.status, c.n, c.segments)
		b.s.Days[i].Sent += day.Sent
		b.s.Days[i].Received += day.Received
	}
}

// finish names the numbers and users and attaches each number's usage.
func (b *summaryBuilder) finish(ctx context.Context, c conn, org hiretext.OrgID) (*hiretext.ActivitySummary, error) {
	if err := b.nameNumbers(ctx, c, org); err != nil {
		return nil, err
	}
	if err := b.nameUsers(ctx, c, org); err != nil {
		return nil, err
	}
	for _, n := range b.numbers {
		if n.Phone != "" {
			b.s.Numbers = append(b.s.Numbers, *n)
		}
	}
	slices.SortFunc(b.s.Numbers, func(x, y hiretext.NumberActivity) int { return cmp.Compare(x.Phone, y.Phone) })
	for _, u := range b.users {
		b.s.Users = append(b.s.Users, *u)
	}
	slices.SortFunc(b.s.Users, func(x, y hiretext.UserActivity) int {
		if (x.UserID == 0) != (y.UserID == 0) {
			return cmp.Compare(y.UserID, x.UserID) // automatic replies last
		}
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.UserID, y.UserID))
	})
	return &b.s, nil
}

// nameNumbers fills the phone of each number and its usage per month; a
// number of another company keeps no phone and is left out.
func (b *summaryBuilder) nameNumbers(ctx context.Context, c conn, org hiretext.OrgID) error {
	if len(b.numbers) == 0 {
		return nil
	}
	allowance := map[hiretext.NumberID]int{}
	err := queryEach(ctx, c, func(row scanner) error {
		var id hiretext.NumberID
		var phone string
		var status hiretext.NumberStatus
		var monthly int
		if err := row.Scan(&id, &phone, &status, &monthly); err != nil {
			return err
		}
		if n := b.numbers[id]; n != nil {
			n.Phone, n.Released, allowance[id] = phone, status == hiretext.NumberReleased, monthly
		}
		return nil
	}, "SELECT id, phone, status, monthly_allowance FROM numbers WHERE org_id = ?", org)
	if err != nil {
		return err
	}
	return b.fillUsage(ctx, c, org, allowance)
}

// fillUsage sets each number's usage in every month of the period. A month
// without a counter row had no texts; it shows the number's allowance.
func (b *summaryBuilder) fillUsage(ctx context.Context, c conn, org hiretext.OrgID, allowance map[hiretext.NumberID]int) error {
	months := b.period.Months()
	loc := b.period.Location()
	for id, n := range b.numbers {
		for _, m := range months {
			start, _ := hiretext.PeriodStart(m, loc)
			n.Usage = append(n.Usage, hiretext.Usage{NumberID: id, Period: m, Allowance: allowance[id],
				ResetsAt: hiretext.PeriodResetsAt(start, loc)})
		}
	}
	return queryEach(ctx, c, func(row scanner) error {
		var id hiretext.NumberID
		var period string
		var allowed, used int
		if err := row.Scan(&id, &period, &allowed, &used); err != nil {
			return err
		}
		if n := b.numbers[id]; n != nil {
			if i := slices.Index(months, period); i >= 0 {
				n.Usage[i].Allowance, n.Usage[i].Used = allowed, used
			}
		}
		return nil
	}, `SELECT number_id, period, allowance, used FROM number_usage
		WHERE org_id = ? AND period >= ? AND period <= ?`, org, months[0], months[len(months)-1])
}

// nameUsers fills the senders' names.
func (b *summaryBuilder) nameUsers(ctx context.Context, c conn, org hiretext.OrgID) error {
	if u := b.users[0]; u != nil {
		u.Name = "Automatic replies" // only the answers to keywords have no user
	}
	if len(b.users) == 0 {
		return nil
	}
	return queryEach(ctx, c, func(row scanner) error {
		var id hiretext.UserID
		var name string
		if err := row.Scan(&id, &name); err != nil {
			return err
		}
		if u := b.users[id]; u != nil && id > 0 {
			u.Name = name
		}
		return nil
	}, "SELECT id, name FROM users WHERE org_id = ?", org)
}

// zoneSpan is a stretch of time with one UTC offset (in seconds), until an
// instant (in Unix seconds).
type zoneSpan struct {
	until  int64
	offset int
}

// zoneSpans splits the period where its time zone's offset changes.
func zoneSpans(p hiretext.ReportPeriod) []zoneSpan {
	var out []zoneSpan
	end := p.End()
	for t := p.Start(); ; {
		_, offset := t.Zone()
		_, zoneEnd := t.ZoneBounds()
		if zoneEnd.IsZero() || !zoneEnd.Before(end) {
			return append(out, zoneSpan{until: end.Unix(), offset: offset})
		}
		out = append(out, zoneSpan{until: zoneEnd.Unix(), offset: offset})
		t = zoneEnd
	}
}
