package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
)

// ResponseReport computes the SMS Activity report's response figures from
// the response facts (response_facts.go): for each user and conversation
// active since the period began, its first run of texts in the period, and
// the waits answered from its start to 7 days after it, all read by index.
// The cost grows with the conversations and the answers of the period, not
// with its texts; in clock hours, with a period that holds most of the
// company's answers, the database finds the medians itself (see
// answerMedians). A run or a wait that began before the period and goes on
// into it needs its first text in the period: one indexed look-up each, at
// most one per conversation. The candidate and number filters apply to
// whole conversations (a conversation is one number's, with one
// candidate); direction and status do not apply. It reads one snapshot, so
// an answer written meanwhile cannot move the ranks it counted.
func (db *DB) ResponseReport(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (*hiretext.ResponseReport, error) {
	if err := db.BuildResponseFacts(ctx, org); err != nil {
		return nil, err
	}
	tx, err := db.responseSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	return responseReport(ctx, conn{q: tx, d: db.dialect}, org, f)
}

// responseSnapshot begins the read-only transaction a report reads in.
func (db *DB) responseSnapshot(ctx context.Context) (*sql.Tx, error) {
	pg := db.dialect.name() == "postgres"
	opts := &sql.TxOptions{ReadOnly: true}
	if pg {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	if !pg {
		return tx, nil
	}
	// pgx prepares statements once, and after five runs PostgreSQL plans
	// them for any parameters: it then takes a period's range for a few
	// rows, and reads a year of answers and sorts them where a walk of
	// response_waits_number_time would stop at the median (31 ms instead
	// of 8 for each number).
	if _, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// responseReport is ResponseReport in the snapshot c.
func responseReport(ctx context.Context, c conn, org hiretext.OrgID, f hiretext.ActivityFilter) (*hiretext.ResponseReport, error) {
	policy, err := escalationPolicy(ctx, c, org)
	if err != nil {
		return nil, err
	}
	var hours *hiretext.Week
	if !policy.UpdatedAt.IsZero() { // the company set its business hours
		hours = &policy.BusinessHours
	}
	q := responseQuery{org: org, f: f, start: f.Period.Start().UTC(), end: f.Period.End().UTC()}
	if hours != nil {
		// Answers end in the period; their waits began in it or, rarely,
		// before it, which the calendar covers back a season.
		q.calendar = hours.Calendar(q.start.AddDate(0, 0, -calendarLead), q.end, f.Period.Location())
	}
	tally := hiretext.NewResponseTally(f.Period.Location(), hours)
	if err := q.texted(ctx, c, tally); err != nil {
		return nil, err
	}
	answers, err := q.answers(ctx, c)
	if err != nil {
		return nil, err
	}
	r := tally.Finish()
	answers.apply(r)
	return r, nameResponseFigures(ctx, c, org, r)
}

// responseQuery reads one report's facts.
type responseQuery struct {
	org        hiretext.OrgID
	f          hiretext.ActivityFilter
	start, end time.Time
	// calendar is the company's business hours over the period and
	// calendarLead days before it; nil: clock hours.
	calendar *hiretext.OpenCalendar
}

// calendarLead is how many days before a period the business-hours
// calendar of its report covers, for waits that began before the period;
// one that began earlier still is measured by walking the days.
const calendarLead = 92

// measure is the time from one instant to another that the figures count:
// open business hours in the period's location, or clock hours.
func (q responseQuery) measure(from, to time.Time) time.Duration {
	if q.calendar == nil {
		return to.Sub(from)
	}
	return q.calendar.OpenBetween(from, to)
}

// filter narrows facts (as table alias x) to the filter's number and
// candidate.
func (q responseQuery) filter(x string) (string, []any) {
	var where string
	var args []any
	if q.f.NumberID != 0 {
		where += " AND " + x + ".number_id = ?"
		args = append(args, q.f.NumberID)
	}
	if q.f.CandidateID != 0 {
		where += " AND " + x + ".conversation_id IN (SELECT id FROM conversations WHERE org_id = ? AND candidate_id = ?)"
		args = append(args, q.org, q.f.CandidateID)
	}
	return where, args
}

// responseRun is a run of texts as the report reads it.
type responseRun struct {
	conv        hiretext.ConversationID
	user        hiretext.UserID
	number      hiretext.NumberID
	first, last time.Time
	reply       sql.NullInt64 // Unix microseconds
}

// texted counts, for every user (and every number: the runs of user 0) and
// conversation, the first text in the period and whether the candidate's
// next text came within hiretext.ResponseWindow of it. It reads who texted
// whom in or after the period (response_pairs) and, for each, the first
// run that ends in or after it, by index. With one user's figures, that
// user's runs count for their numbers too.
func (q responseQuery) texted(ctx context.Context, c conn, tally *hiretext.ResponseTally) error {
	where, args := q.filter("p")
	if q.f.UserID != 0 {
		where += " AND p.user_id = ?"
		args = append(args, q.f.UserID)
	}
	var runs []responseRun
	err := queryEach(ctx, c, func(row scanner) error {
		var r responseRun
		var first, last int64
		if err := row.Scan(&r.conv, &r.user, &r.number, &first, &last, &r.reply); err != nil {
			return err
		}
		r.first, r.last = fromMicros(first), fromMicros(last)
		runs = append(runs, r)
		return nil
	}, `SELECT p.conversation_id, p.user_id, p.number_id, s.first_at, s.last_at, s.reply_at FROM response_pairs p
		JOIN response_segments s ON s.id = (SELECT s2.id FROM response_segments s2
			WHERE s2.conversation_id = p.conversation_id AND s2.user_id = p.user_id AND s2.last_at >= ? ORDER BY s2.last_at LIMIT 1)
		WHERE p.org_id = ? AND p.last_at >= ? AND p.first_at < ?`+where,
		append([]any{micros(q.start), q.org, micros(q.start), micros(q.end)}, args...)...)
	if err != nil {
		return err
	}
	for _, r := range runs {
		first, replied, err := q.firstInPeriod(ctx, c, r)
		if err != nil {
			return err
		}
		if first.IsZero() {
			continue
		}
		switch {
		case q.f.UserID != 0:
			tally.TextedByUser(r.user, replied)
			tally.TextedByNumber(r.number, replied)
		case r.user == 0:
			tally.TextedByNumber(r.number, replied)
		default:
			tally.TextedByUser(r.user, replied)
		}
	}
	return nil
}

// firstInPeriod returns the first text of run r in the period (zero for
// none) and whether the candidate replied to it in time. A run that began
// before the period needs a look-up only when its reply came more than
// hiretext.ResponseWindow after the period began, or it goes on past the
// period's end; otherwise any of its texts in the period was replied to
// in time exactly when the run was.
func (q responseQuery) firstInPeriod(ctx context.Context, c conn, r responseRun) (time.Time, bool, error) {
	first := r.first
	if first.Before(q.start) {
		if (!r.reply.Valid || r.reply.Int64 <= micros(q.start.Add(hiretext.ResponseWindow))) && r.last.Before(q.end) {
			return q.start, r.reply.Valid, nil
		}
		by := ""
		args := []any{q.org, r.conv, q.start}
		if r.user != 0 {
			by = " AND m.user_id = ?"
			args = append(args, r.user)
		}
		err := c.queryRow(ctx, `SELECT m.created_at FROM messages m WHERE m.org_id = ? AND m.conversation_id = ? AND m.created_at >= ?`+by+`
			AND m.direction = 'outbound' AND `+responseTextWhere+` ORDER BY m.created_at, m.id LIMIT 1`, args...).Scan(&first)
		if errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, false, nil
		}
		if err != nil {
			return time.Time{}, false, err
		}
		first = first.UTC()
	}
	if !first.Before(q.end) {
		return time.Time{}, false, nil
	}
	return first, r.reply.Valid && fromMicros(r.reply.Int64).Sub(first) <= hiretext.ResponseWindow, nil
}

// answers gathers the answers to the waits that began in the period, up
// to hiretext.ResponseWindow after it: a wait begins with the candidate's
// first text in the period after the last answer, so one that began before
// the period counts from its first text in the period, if any came before
// the answer (answersAcross). The others are read into Go and measured
// (readAnswers), or, in clock hours over most of the company's answers,
// left in the database, which gives each group's count and the few times
// around its median (answerMedians).
func (q responseQuery) answers(ctx context.Context, c conn) (*answerGroups, error) {
	g := &answerGroups{users: map[hiretext.UserID]*answerGroup{}, numbers: map[hiretext.NumberID]*answerGroup{}}
	if err := q.answersAcross(ctx, c, g); err != nil {
		return nil, err
	}
	inSQL, err := q.mediansInSQL(ctx, c)
	if err != nil {
		return nil, err
	}
	if inSQL {
		return g, q.answerMedians(ctx, c, g)
	}
	return g, q.readAnswers(ctx, c, g)
}

// waitFilter narrows waits (as w) to the filter's number, candidate and
// user.
func (q responseQuery) waitFilter() (string, []any) {
	where, args := q.filter("w")
	if q.f.UserID != 0 {
		where += " AND w.user_id = ?"
		args = append(args, q.f.UserID)
	}
	return where, args
}

// waitsWhere selects, as w, the answered waits that began in the period,
// with the report's filters.
func (q responseQuery) waitsWhere() (string, []any) {
	where, args := q.waitFilter()
	return ` WHERE w.org_id = ? AND w.answered_at IS NOT NULL AND w.answered_at >= ? AND w.answered_at < ? AND w.since >= ? AND w.since < ?` + where,
		append([]any{q.org, micros(q.start), micros(q.end.Add(hiretext.ResponseWindow)), micros(q.start), micros(q.end)}, args...)
}

// readAnswers reads the answers of the waits that began in the period and
// measures them (only the columns the figures need: a year of them).
func (q responseQuery) readAnswers(ctx context.Context, c conn, g *answerGroups) error {
	where, args := q.waitsWhere()
	err := queryEach(ctx, c, func(row scanner) error {
		var user, number, since, at int64 // plain integers: no conversion per row
		if err := row.Scan(&user, &number, &since, &at); err != nil {
			return err
		}
		d := q.measure(fromMicros(since), fromMicros(at))
		u, n := g.user(hiretext.UserID(user)), g.number(hiretext.NumberID(number))
		u.window, n.window = append(u.window, d), append(n.window, d)
		return nil
	}, `SELECT w.user_id, w.number_id, w.since, w.answered_at FROM response_waits w`+where, args...)
	if err != nil {
		return err
	}
	for _, a := range g.all() {
		slices.Sort(a.window)
		a.count = len(a.window)
	}
	return nil
}

// answersAcross adds the answers, in the period or up to
// hiretext.ResponseWindow after it, to the waits that began before it and
// to which the candidate wrote again in the period before the answer,
// timed from that text. A conversation's waits follow one another, so
// only its last one that began before the period can be one: one indexed
// look-up per conversation active since the period began, in one
// statement. The candidate's text is the first one from the period's
// start, bounded by the answer alone (SQLite walks an index range by one
// upper bound: with the period's end it read the whole period's texts
// when the answer came first); the period's end is checked after.
func (q responseQuery) answersAcross(ctx context.Context, c conn, g *answerGroups) error {
	where, args := q.waitFilter()
	return queryEach(ctx, c, func(row scanner) error {
		var user, number, at int64
		var since time.Time
		if err := row.Scan(&user, &number, &at, &since); err != nil {
			return err
		}
		d := q.measure(since.UTC(), fromMicros(at))
		g.user(hiretext.UserID(user)).add(d)
		g.number(hiretext.NumberID(number)).add(d)
		return nil
	}, `SELECT w.user_id, w.number_id, w.answered_at, m.created_at FROM response_pairs p
		JOIN response_waits w ON w.id = (SELECT w2.id FROM response_waits w2
			WHERE w2.conversation_id = p.conversation_id AND w2.since < ? ORDER BY w2.since DESC, w2.id DESC LIMIT 1)
		JOIN messages a ON a.id = w.answer_id
		JOIN messages m ON m.id = (SELECT m2.id FROM messages m2 WHERE m2.org_id = p.org_id AND m2.conversation_id = p.conversation_id
			AND m2.direction = 'inbound' AND m2.keyword = '' AND m2.created_at >= ?
			AND m2.created_at <= a.created_at AND (m2.created_at < a.created_at OR m2.id < a.id) ORDER BY m2.created_at, m2.id LIMIT 1)
		WHERE p.org_id = ? AND p.user_id = 0 AND p.last_at >= ? AND w.answered_at >= ? AND w.answered_at < ? AND m.created_at < ?`+where,
		append([]any{micros(q.start), q.start, q.org, micros(q.start), micros(q.start), micros(q.end.Add(hiretext.ResponseWindow)), q.end},
			args...)...)
}

// nameResponseFigures names the users and numbers of r and sorts them.
func nameResponseFigures(ctx context.Context, c conn, org hiretext.OrgID, r *hiretext.ResponseReport) error {
	users := map[hiretext.UserID]string{}
	numbers := map[hiretext.NumberID]string{}
	err := queryEach(ctx, c, func(row scanner) error {
		var id int64
		var name string
		var isUser bool
		if err := row.Scan(&isUser, &id, &name); err != nil {
			return err
		}
		if isUser {
			users[hiretext.UserID(id)] = name
		} else {
			numbers[hiretext.NumberID(id)] = name
		}
		return nil
	}, "SELECT TRUE, id, name FROM users WHERE org_id = ? UNION ALL SELECT FALSE, id, phone FROM numbers WHERE org_id = ?", org, org)
	if err != nil {
		return err
	}
	for _, f := range r.ByUser {
		f.Name = users[f.UserID]
	}
	for _, f := range r.ByNumber {
		f.Name = numbers[f.NumberID]
	}
	hiretext.SortResponseFigures(r.ByUser)
	hiretext.SortResponseFigures(r.ByNumber)
	return nil
}

// answerGroups are the answers of a period per user and per number.
type answerGroups struct {
	users   map[hiretext.UserID]*answerGroup
	numbers map[hiretext.NumberID]*answerGroup
}

// answerGroup is what one user's or one number's median needs: the count
// of its answers to waits that began in the period, their times in order
// from rank lo (all of them, lo 0, when read into Go; the few around the
// median when the database ranks them), and the times of its answers to
// waits that began before the period (across, at most one per
// conversation).
type answerGroup struct {
	count  int
	lo     int
	window []time.Duration
	across []time.Duration
}

func (g *answerGroups) user(id hiretext.UserID) *answerGroup {
	if g.users[id] == nil {
		g.users[id] = &answerGroup{}
	}
	return g.users[id]
}

func (g *answerGroups) number(id hiretext.NumberID) *answerGroup {
	if g.numbers[id] == nil {
		g.numbers[id] = &answerGroup{}
	}
	return g.numbers[id]
}

// all lists every group, users' then numbers'.
func (g *answerGroups) all() []*answerGroup {
	out := make([]*answerGroup, 0, len(g.users)+len(g.numbers))
	for _, a := range g.users {
		out = append(out, a)
	}
	for _, a := range g.numbers {
		out = append(out, a)
	}
	return out
}

func (a *answerGroup) add(d time.Duration) { a.across = append(a.across, d) }

// apply sets the answer figures of r's users and numbers, adding those who
// answered without texting anyone first in the period.
func (g *answerGroups) apply(r *hiretext.ResponseReport) {
	users := make(map[hiretext.UserID]*hiretext.ResponseFigures, len(r.ByUser))
	for _, f := range r.ByUser {
		users[f.UserID] = f
	}
	numbers := make(map[hiretext.NumberID]*hiretext.ResponseFigures, len(r.ByNumber))
	for _, f := range r.ByNumber {
		numbers[f.NumberID] = f
	}
	for id, a := range g.users {
		if users[id] == nil {
			users[id] = &hiretext.ResponseFigures{UserID: id}
			r.ByUser = append(r.ByUser, users[id])
		}
		users[id].Answered, users[id].MedianAnswer = a.median()
	}
	for id, a := range g.numbers {
		if numbers[id] == nil {
			numbers[id] = &hiretext.ResponseFigures{NumberID: id}
			r.ByNumber = append(r.ByNumber, numbers[id])
		}
		numbers[id].Answered, numbers[id].MedianAnswer = a.median()
	}
}

// medianWindow is the ranks [lo, hi) of a group's count answers (to waits
// that began in the period) that its median needs when across more answer
// waits that began before it: the union's middle ranks r1 and r2 hold
// values no lower than rank r1-across of the count (at most across of the
// values below them are not of the count) and no higher than rank r2.
func medianWindow(count, across int) (lo, hi int) {
	n := count + across
	lo = max(0, (n-1)/2-across)
	return lo, max(lo, min(count, n/2+1))
}

// median returns how many answers the group has and their median (the
// mean of the middle two for an even count), as hiretext.ResponseTally
// computes it from every time. Answers across the period's start below
// the window's first value rank below the median, and those of the count
// below the window are lo, so the median is found in the merge of the
// window with the other answers across.
func (a *answerGroup) median() (int, time.Duration) {
	n := a.count + len(a.across)
	if n == 0 {
		return 0, 0
	}
	slices.Sort(a.across)
	rest, below := a.across, 0
	if a.lo > 0 {
		below, _ = slices.BinarySearch(rest, a.window[0])
		rest = rest[below:]
	}
	merged := append(slices.Clone(a.window), rest...)
	slices.Sort(merged)
	at := func(rank int) time.Duration { return merged[max(0, rank-a.lo-below)] }
	m := at(n / 2)
	if n%2 == 0 {
		m = (at(n/2-1) + m) / 2
	}
	return n, m
}

// responseMedianShare is the share of the span of a company's answers a
// period must cover for the database to rank the answers (answerMedians):
// that walks each group's answers of every period in time-to-answer order
// (about 0.1 µs each on SQLite), where reading them into Go costs about
// 0.7 µs each, but only the period's.
const responseMedianShare = 0.5

// mediansInSQL reports whether the database should find the medians: in
// clock hours (business hours are measured in Go), without a candidate
// (whose answers are few), when the period and the 7 days after it cover
// at least responseMedianShare of the span of the company's answers.
func (q responseQuery) mediansInSQL(ctx context.Context, c conn) (bool, error) {
	if q.calendar != nil || q.f.CandidateID != 0 {
		return false, nil
	}
	var first, last sql.NullInt64
	// Two subqueries: SQLite reads a lone MIN or MAX from the end of an
	// index, but both in one SELECT from every row.
	err := c.queryRow(ctx, `SELECT (SELECT MIN(answered_at) FROM response_waits WHERE org_id = ? AND answered_at IS NOT NULL),
		(SELECT MAX(answered_at) FROM response_waits WHERE org_id = ? AND answered_at IS NOT NULL)`, q.org, q.org).Scan(&first, &last)
	if err != nil || !first.Valid {
		return false, err
	}
	from, to := max(first.Int64, micros(q.start)), min(last.Int64, micros(q.end.Add(hiretext.ResponseWindow)))
	return float64(to-from) >= responseMedianShare*float64(last.Int64-first.Int64), nil
}

// answerMedians has the database count each user's and number's answers
// to waits that began in the period and return only the times around
// each median, walking response_waits_user_time and
// response_waits_number_time in time-to-answer order.
func (q responseQuery) answerMedians(ctx context.Context, c conn, g *answerGroups) error {
	if err := q.answerCounts(ctx, c, g); err != nil {
		return err
	}
	where, args := q.waitsWhere()
	for _, by := range []struct {
		column, index string
		groups        func() map[int64]*answerGroup
	}{
		{"user_id", "response_waits_user_time", func() map[int64]*answerGroup { return idGroups(g.users) }},
		{"number_id", "response_waits_number_time", func() map[int64]*answerGroup { return idGroups(g.numbers) }},
	} {
		for id, a := range by.groups() {
			lo, hi := medianWindow(a.count, len(a.across))
			if hi == lo {
				continue
			}
			a.lo = lo
			var err error
			a.window, err = queryAll(ctx, c, scanMicros, "SELECT w.answered_at - w.since FROM response_waits w"+c.d.indexedBy(by.index)+
				where+" AND w."+by.column+" = ? ORDER BY w.answered_at - w.since LIMIT ? OFFSET ?", append(slices.Clone(args), id, hi-lo, lo)...)
			if err != nil {
				return err
			}
			if len(a.window) != hi-lo { // the snapshot rules it out; median would index past it
				return fmt.Errorf("store: response medians: %d answer times of %s %d from rank %d, want %d", len(a.window), by.column, id, lo, hi-lo)
			}
		}
	}
	return nil
}

// idGroups lists groups by their ids as integers.
func idGroups[ID ~int64](groups map[ID]*answerGroup) map[int64]*answerGroup {
	out := make(map[int64]*answerGroup, len(groups))
	for id, a := range groups {
		out[int64(id)] = a
	}
	return out
}

// answerCounts counts each user's and number's answers to waits that
// began in the period. On PostgreSQL one (parallel) pass counts each user
// and number pair, which add up to both; SQLite, which sorts for such a
// GROUP BY, walks each of the two indexes in its group's order instead.
func (q responseQuery) answerCounts(ctx context.Context, c conn, g *answerGroups) error {
	where, args := q.waitsWhere()
	count := func(row scanner) error {
		var user, number sql.NullInt64
		var n int
		if err := row.Scan(&user, &number, &n); err != nil {
			return err
		}
		if user.Valid {
			g.user(hiretext.UserID(user.Int64)).count += n
		}
		if number.Valid {
			g.number(hiretext.NumberID(number.Int64)).count += n
		}
		return nil
	}
	if c.d.name() == "postgres" {
		return queryEach(ctx, c, count, "SELECT w.user_id, w.number_id, COUNT(*) FROM response_waits w"+where+
			" GROUP BY w.user_id, w.number_id", args...)
	}
	err := queryEach(ctx, c, count, "SELECT w.user_id, NULL, COUNT(*) FROM response_waits w"+c.d.indexedBy("response_waits_user_time")+
		where+" GROUP BY w.user_id", args...)
	if err != nil {
		return err
	}
	return queryEach(ctx, c, count, "SELECT NULL, w.number_id, COUNT(*) FROM response_waits w"+c.d.indexedBy("response_waits_number_time")+
		where+" GROUP BY w.number_id", args...)
}

// scanMicros scans a duration in microseconds.
func scanMicros(row scanner) (time.Duration, error) {
	var v int64
	err := row.Scan(&v)
	return time.Duration(v) * time.Microsecond, err
}
