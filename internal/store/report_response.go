package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hiretext/hiretext"
)

// ResponseReport computes the SMS Activity report's response figures from
// the response facts (response_facts.go): for each user and conversation
// active since the period began, its first run of texts in the period, and
// the waits answered from its start to 7 days after it, all read by index.
// The cost grows with the conversations and the answers of the period, not
// with its texts. A run or a wait
// that began before the period and goes on into it needs its first text
// in the period: one indexed look-up each, at most one per conversation.
// The candidate and number filters apply to whole conversations (a
// conversation is one number's, with one candidate); direction and status
// do not apply.
func (db *DB) ResponseReport(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (*hiretext.ResponseReport, error) {
	if err := db.BuildResponseFacts(ctx, org); err != nil {
		return nil, err
	}
	c := db.reader()
	policy, err := escalationPolicy(ctx, c, org)
	if err != nil {
		return nil, err
	}
	var hours *hiretext.Week
	if !policy.UpdatedAt.IsZero() { // the company set its business hours
		hours = &policy.BusinessHours
	}
	q := responseQuery{org: org, f: f, start: f.Period.Start().UTC(), end: f.Period.End().UTC()}
	tally := hiretext.NewResponseTally(f.Period.Location(), hours)
	if err := q.texted(ctx, c, tally); err != nil {
		return nil, err
	}
	if err := q.answers(ctx, c, tally); err != nil {
		return nil, err
	}
	r := tally.Finish()
	return r, nameResponseFigures(ctx, c, org, r)
}

// responseQuery reads one report's facts.
type responseQuery struct {
	org        hiretext.OrgID
	f          hiretext.ActivityFilter
	start, end time.Time
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

// answers counts the answers to the waits that began in the period, up to
// hiretext.ResponseWindow after it: a wait begins with the candidate's
// first text in the period after the last answer, so one that began before
// the period counts from its first text in the period, if any came before
// the answer.
func (q responseQuery) answers(ctx context.Context, c conn, tally *hiretext.ResponseTally) error {
	where, args := q.filter("w")
	if q.f.UserID != 0 {
		where += " AND w.user_id = ?"
		args = append(args, q.f.UserID)
	}
	// The waits that began in the period, counted as they are read (a
	// year of them, so only the columns the figures need).
	err := queryEach(ctx, c, func(row scanner) error {
		var user hiretext.UserID
		var number hiretext.NumberID
		var since, at int64
		if err := row.Scan(&user, &number, &since, &at); err != nil {
			return err
		}
		tally.Answer(user, number, fromMicros(since), fromMicros(at))
		return nil
	}, `SELECT w.user_id, w.number_id, w.since, w.answered_at FROM response_waits w
		WHERE w.org_id = ? AND w.answered_at >= ? AND w.answered_at < ? AND w.since >= ? AND w.since < ?`+where,
		append([]any{q.org, micros(q.start), micros(q.end.Add(hiretext.ResponseWindow)), micros(q.start), micros(q.end)}, args...)...)
	if err != nil {
		return err
	}
	// The waits that began before it and were answered in it: at most one
	// per conversation.
	type answer struct {
		conv   hiretext.ConversationID
		number hiretext.NumberID
		user   hiretext.UserID
		at     time.Time
		id     hiretext.MessageID
	}
	var across []answer
	err = queryEach(ctx, c, func(row scanner) error {
		var a answer
		var at int64
		if err := row.Scan(&a.conv, &a.number, &a.user, &at, &a.id); err != nil {
			return err
		}
		a.at = fromMicros(at)
		across = append(across, a)
		return nil
	}, `SELECT w.conversation_id, w.number_id, w.user_id, w.answered_at, w.answer_id FROM response_waits w
		WHERE w.org_id = ? AND w.answered_at >= ? AND w.answered_at < ? AND w.since < ?`+where,
		append([]any{q.org, micros(q.start), micros(q.end.Add(hiretext.ResponseWindow)), micros(q.start)}, args...)...)
	if err != nil {
		return err
	}
	for _, a := range across {
		var since time.Time
		err := c.queryRow(ctx, `SELECT m.created_at FROM messages m WHERE m.org_id = ? AND m.conversation_id = ?
			AND m.direction = 'inbound' AND m.keyword = '' AND m.created_at >= ? AND m.created_at < ?
			AND m.created_at <= ? AND (m.created_at < ? OR m.id < ?) ORDER BY m.created_at, m.id LIMIT 1`,
			q.org, a.conv, q.start, q.end, a.at, a.at, a.id).Scan(&since)
		if errors.Is(err, sql.ErrNoRows) {
			continue // the candidate wrote nothing in the period before the answer
		}
		if err != nil {
			return err
		}
		tally.Answer(a.user, a.number, since.UTC(), a.at)
	}
	return nil
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
