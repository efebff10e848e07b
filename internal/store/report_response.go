package store

import (
	"context"

	"github.com/hiretext/hiretext"
)

// ResponseReport computes the SMS Activity report's response figures (see
// hiretext.ResponseBuilder): it reads the period's texts, and those of
// hiretext.ResponseWindow after it, once, in time order, through
// messages_org_created (or messages_report_number for one number). Only
// users' texts that went and candidates' texts that are not keywords are
// read; the candidate filter narrows them, direction and status do not.
func (db *DB) ResponseReport(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (*hiretext.ResponseReport, error) {
	c := db.reader()
	policy, err := escalationPolicy(ctx, c, org)
	if err != nil {
		return nil, err
	}
	var hours *hiretext.Week
	if !policy.UpdatedAt.IsZero() { // the company set its business hours
		hours = &policy.BusinessHours
	}
	b := hiretext.NewResponseBuilder(f.Period, hours, f.UserID)
	q := `SELECT m.conversation_id, m.number_id, CASE WHEN m.direction = 'inbound' THEN 0 ELSE m.user_id END, m.created_at
		FROM messages m WHERE m.org_id = ? AND m.created_at >= ? AND m.created_at < ? AND m.conversation_id IS NOT NULL
		AND ((m.direction = 'inbound' AND m.keyword = '') OR (m.direction = 'outbound' AND m.kind = 'recruiter'
			AND m.user_id IS NOT NULL AND m.status IN ('queued', 'sending', 'sent', 'delivered')))`
	args := []any{org, f.Period.Start().UTC(), b.ReadUntil().UTC()}
	if f.NumberID != 0 {
		q += " AND m.number_id = ?"
		args = append(args, f.NumberID)
	}
	if f.CandidateID != 0 {
		q += " AND m.candidate_id = ?"
		args = append(args, f.CandidateID)
	}
	err = queryEach(ctx, c, func(row scanner) error {
		var t hiretext.ResponseText
		if err := row.Scan(&t.ConversationID, &t.NumberID, &t.UserID, &t.At); err != nil {
			return err
		}
		t.At = t.At.UTC()
		b.Add(t)
		return nil
	}, q+" ORDER BY m.created_at, m.id", args...)
	if err != nil {
		return nil, err
	}
	r := b.Finish()
	return r, nameResponseFigures(ctx, c, org, r)
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
