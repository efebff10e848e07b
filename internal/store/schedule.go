package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// Texts that wait for their minute (scheduled by a user, or held by the
// quiet hours) are messages with status scheduled and send_at. They hold
// no allowance until they go: releaseDue checks consent and reserves the
// allowance of the month they go in, then queues them for the dispatcher.

// planTimes decides when each target's text goes under the company's send
// policy, in the candidate's own time zones. A reply within the policy's
// grace goes at once; only the candidates the window would hold are looked
// up for their last text, so a send in the window reads nothing more. Then
// the attempt limit skips the candidates it refuses (applyAttemptLimit).
func planTimes(ctx context.Context, tx conn, req hiretext.SendRequest, number hiretext.NumberID, plan *sendPlan, loc *time.Location, now time.Time) error {
	policy, err := sendPolicy(ctx, tx, req.OrgID)
	if err != nil {
		return err
	}
	hold := hiretext.HoldQuietHours
	if req.SendAt.After(now) {
		hold = hiretext.HoldSchedule
	}
	var held []hiretext.CandidateID
	for i := range plan.targets {
		t := &plan.targets[i]
		t.timing = policy.Plan(now, req.SendAt, time.Time{}, recipient(plan.found[t.candidate], t.phone, loc))
		t.hold = hold
		if t.timing.Held && hold == hiretext.HoldQuietHours && policy.ReplyGraceMinutes > 0 {
			held = append(held, t.candidate)
		}
	}
	if len(held) == 0 {
		return applyAttemptLimit(ctx, tx, req.OrgID, policy.AttemptLimit, plan)
	}
	since := now.Add(-time.Duration(policy.ReplyGraceMinutes) * time.Minute)
	replies, err := lastReplies(ctx, tx, req.OrgID, number, held, since)
	if err != nil {
		return err
	}
	for i := range plan.targets {
		t := &plan.targets[i]
		if at, ok := replies[t.candidate]; ok {
			t.timing = policy.Plan(now, req.SendAt, at, recipient(plan.found[t.candidate], t.phone, loc))
		}
	}
	return applyAttemptLimit(ctx, tx, req.OrgID, policy.AttemptLimit, plan)
}

// PlanSendTimes says when a text from user to each of ids would go; see
// hiretext.ScheduleService. It reads from the read pool and writes nothing.
func (db *DB) PlanSendTimes(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, ids []hiretext.CandidateID,
	sendAt time.Time) (map[hiretext.CandidateID]hiretext.PlannedTime, error) {
	if len(ids) == 0 {
		return map[hiretext.CandidateID]hiretext.PlannedTime{}, nil // and no empty IN list, which PostgreSQL refuses
	}
	c := db.reader()
	num, err := db.numberForUserTx(ctx, c, org, user)
	if err != nil {
		return nil, err
	}
	req := hiretext.SendRequest{OrgID: org, UserID: user, CandidateIDs: ids, SendAt: sendAt}
	plan, err := sendTargets(ctx, c, req, num)
	if err != nil {
		return nil, err
	}
	usage, err := loadUsageTarget(ctx, c, org, num.ID)
	if err != nil {
		return nil, err
	}
	if err := planTimes(ctx, c, req, num.ID, plan, usage.loc, db.now()); err != nil {
		return nil, err
	}
	out := make(map[hiretext.CandidateID]hiretext.PlannedTime, len(plan.targets))
	for _, t := range plan.targets {
		out[t.candidate] = hiretext.PlannedTime{SendTiming: t.timing, Zone: recipient(plan.found[t.candidate], t.phone, usage.loc).Zones[0]}
	}
	for id, next := range plan.nextAttempt {
		c := plan.found[id]
		out[id] = hiretext.PlannedTime{Zone: recipient(c, c.TextingPhone(), usage.loc).Zones[0], NextAttempt: next}
	}
	return out, nil
}

// recipient is where a text to c at phone goes, for the send policy: the
// zones of the profile or of the phone (the company's, loc, without either)
// and the phone's US state.
func recipient(c *hiretext.Candidate, to string, loc *time.Location) hiretext.Recipient {
	return hiretext.Recipient{Zones: hiretext.ResolveZones(c.TimeZone, phone.TimeZones(to), loc), State: phone.State(to)}
}

// lastReplies returns, for the candidates among ids who texted number
// since since, the time of their newest text.
func lastReplies(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, ids []hiretext.CandidateID, since time.Time) (map[hiretext.CandidateID]time.Time, error) {
	out := map[hiretext.CandidateID]time.Time{}
	for chunk := range chunks(ids, queueChunk) {
		args := []any{org, number, storedTime(since)}
		for _, id := range chunk {
			args = append(args, id)
		}
		// Every text of the grace, not MAX(created_at): SQLite would return
		// the aggregate as text, not a timestamp. A grace holds few texts.
		err := queryEach(ctx, tx, func(row scanner) error {
			var id hiretext.CandidateID
			var at time.Time
			if err := row.Scan(&id, &at); err != nil {
				return err
			}
			if at.After(out[id]) {
				out[id] = at
			}
			return nil
		}, `SELECT candidate_id, created_at FROM messages
			WHERE org_id = ? AND number_id = ? AND direction = 'inbound' AND created_at >= ? AND candidate_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sendingNow counts the targets whose text goes at once.
func (p *sendPlan) sendingNow() int {
	n := 0
	for _, t := range p.targets {
		if !t.timing.Held {
			n++
		}
	}
	return n
}

// timings returns when each target's text goes, by candidate.
func (p *sendPlan) timings() map[hiretext.CandidateID]hiretext.SendTiming {
	out := make(map[hiretext.CandidateID]hiretext.SendTiming, len(p.targets))
	for _, t := range p.targets {
		out[t.candidate] = t.timing
	}
	return out
}

// releaseDueQuery picks the waiting texts whose minute has come, soonest
// first: a range on messages_scheduled, so its cost does not grow with the
// texts waiting for later (TestHotQueriesUseIndexes). The texts the carrier
// guard holds back stay scheduled, and listed as paused, until resumed.
const releaseDueQuery = `SELECT id, org_id, number_id, COALESCE(candidate_id, 0) FROM messages
	WHERE status = 'scheduled' AND send_at <= ? AND NOT (` + guardedOut + `) ORDER BY send_at, id LIMIT ?`

// dueText is a waiting text whose minute has come.
type dueText struct {
	id        hiretext.MessageID
	org       hiretext.OrgID
	number    hiretext.NumberID
	candidate hiretext.CandidateID
}

// ReleaseDue resolves up to limit waiting texts whose minute has come, in
// one transaction: a text to a candidate who opted out meanwhile is
// canceled with the reason; one the number's allowance of this month can
// no longer cover fails ("Not sent: monthly maximum reached.") and the
// number's users are alerted; the others reserve their unit of this
// month's allowance and are queued for the dispatcher. It returns how many
// it resolved, so a caller repeats while a batch comes back full. The
// claim is a range on messages_scheduled, however many texts wait.
func (db *DB) ReleaseDue(ctx context.Context, limit int) (int, error) {
	var n int
	err := db.inEventTx(ctx, func(tx conn) error {
		now := db.now()
		due, err := queryAll(ctx, tx, func(row scanner) (dueText, error) {
			var d dueText
			return d, row.Scan(&d.id, &d.org, &d.number, &d.candidate)
		}, releaseDueQuery+db.dialect.skipLocked(), storedTime(now), limit)
		if err != nil {
			return err
		}
		n = len(due)
		// Counter rows in number order, so two releases never wait on each
		// other's counters in opposite orders.
		slices.SortStableFunc(due, func(a, b dueText) int { return cmp.Compare(a.number, b.number) })
		// The attempt limit is checked again for each text; its locks are
		// taken for the whole batch first, before any counter row, in the
		// order a send takes them.
		if err := lockAttempts(ctx, tx, dueCandidates(due)); err != nil {
			return err
		}
		var tally textTally
		if err := db.releaseTexts(ctx, tx, &tally, due, now); err != nil {
			return err
		}
		return db.countTexts(ctx, tx, &tally) // last: see countTexts
	})
	return n, err
}

// dueCandidates lists the candidates of due texts.
func dueCandidates(due []dueText) []hiretext.CandidateID {
	ids := make([]hiretext.CandidateID, 0, len(due))
	for _, d := range due {
		if d.candidate != 0 {
			ids = append(ids, d.candidate)
		}
	}
	return ids
}

// releaseTexts resolves due texts, grouped by number, counting their new
// statuses in tally.
func (db *DB) releaseTexts(ctx context.Context, tx conn, tally *textTally, due []dueText, now time.Time) error {
	for len(due) > 0 {
		k := 1
		for k < len(due) && due[k].number == due[0].number {
			k++
		}
		if err := db.releaseNumber(ctx, tx, tally, due[:k], now); err != nil {
			return err
		}
		due = due[k:]
	}
	return nil
}

// releaseNumber resolves the due texts of one number.
func (db *DB) releaseNumber(ctx context.Context, tx conn, tally *textTally, due []dueText, now time.Time) error {
	usage, err := loadUsageTarget(ctx, tx, due[0].org, due[0].number)
	if err != nil {
		return err
	}
	policy, err := sendPolicy(ctx, tx, due[0].org)
	if err != nil {
		return err
	}
	// Each text that goes changes its conversation's response facts after
	// its unit of allowance is reserved; their rows are locked first, before
	// the counter row, the order every other writer takes them in.
	if err := lockDueResponseFacts(ctx, tx, due); err != nil {
		return err
	}
	var alerts []hiretext.AllowanceAlert
	maxed := false
	for _, d := range due {
		reason, err := waitingRefusal(ctx, tx, d, policy, now)
		if err != nil {
			return err
		}
		if reason != "" {
			if err := db.endWaiting(ctx, tx, tally, d, hiretext.StatusCanceled, reason, now); err != nil {
				return err
			}
			continue
		}
		change, err := reserveAllowance(ctx, tx, d.org, d.number, usage, 1, now)
		if code := hiretext.ErrorCode(err); code == hiretext.EAllowanceExceeded || code == hiretext.EConflict {
			reason := hiretext.ReasonMonthlyMaximum
			if code == hiretext.EConflict {
				reason = "Not sent: " + hiretext.ErrorMessage(err)
			}
			maxed = maxed || code == hiretext.EAllowanceExceeded
			if err := db.endWaiting(ctx, tx, tally, d, hiretext.StatusFailed, reason, now); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		alerts = append(alerts, change.Alerts...)
		// The claim holds the row (status = 'scheduled', FOR UPDATE on PostgreSQL).
		if _, err := tally.updateCounted(ctx, tx, hiretext.StatusScheduled, `UPDATE messages SET status = 'queued', counted = ?, period = ?,
			next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'scheduled' RETURNING `+countedColumns,
			true, change.Usage.Period, storedTime(now), now, d.id); err != nil {
			return err
		}
		if err := responseMessageChanged(ctx, tx, d.id, hiretext.StatusScheduled); err != nil {
			return err
		}
		if err := db.recordStatusEvent(ctx, tx, d.org, d.number, d.id, now); err != nil {
			return err
		}
	}
	if maxed && !slices.ContainsFunc(alerts, func(a hiretext.AllowanceAlert) bool { return a.Kind == hiretext.AlertAllowanceMax }) {
		more, err := alertMaxed(ctx, tx, due[0].org, due[0].number, usage, now)
		if err != nil {
			return err
		}
		alerts = append(alerts, more...)
	}
	return db.recordAlertEvents(ctx, tx, alerts, now)
}

// waitingRefusal is why a due text may not go now, "" when it may: its
// candidate opted out meanwhile (or is gone; an answer to a candidate who
// texted first goes while the policy still allows it), or the attempt
// limit refuses it (counting the others' texts, not its own).
func waitingRefusal(ctx context.Context, tx conn, d dueText, policy *hiretext.SendPolicy, now time.Time) (string, error) {
	c, err := candidateByID(ctx, tx, d.org, d.candidate)
	limit := policy.AttemptLimit
	switch {
	case hiretext.ErrorCode(err) == hiretext.ENotFound ||
		(err == nil && c.SMSStatus != hiretext.SMSOptedIn && !(c.TextedFirst() && policy.AnswerTextedFirst)):
		return hiretext.ReasonOptedOutMeanwhile, nil
	case err != nil:
		return "", err
	case limit <= 0:
		return "", nil
	}
	hist, err := attemptHistories(ctx, tx, d.org, []hiretext.CandidateID{d.candidate}, now.Add(-hiretext.AttemptWindow), d.id)
	if err != nil {
		return "", err
	}
	if ok, _ := hist[d.candidate].next(limit, now); !ok {
		return hiretext.ReasonAttemptLimit, nil
	}
	return "", nil
}

// alertMaxed tells the number's users that waiting texts failed for the
// monthly maximum, even when the maximum's alert fired earlier in the month
// and they dismissed it: they did not know then that these texts would not
// go. A user has one notification per kind and month (notifications_once),
// so theirs is raised again: new, unread, with a live event. (When this
// release reached the maximum, its own alert says so already.)
func alertMaxed(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, t usageTarget, now time.Time) ([]hiretext.AllowanceAlert, error) {
	u := hiretext.Usage{NumberID: number, Period: hiretext.Period(storedTime(now), t.loc), ResetsAt: hiretext.PeriodResetsAt(now, t.loc)}
	if err := readUsage(ctx, tx, org, number, &u); err != nil {
		return nil, err
	}
	users, err := numberUserIDs(ctx, tx, org, number)
	if err != nil {
		return nil, err
	}
	ids := make([]hiretext.NotificationID, len(users))
	for i, id := range users {
		err := tx.queryRow(ctx, `INSERT INTO notifications (org_id, user_id, number_id, kind, period, created_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, user_id, number_id, kind, period) DO UPDATE SET created_at = excluded.created_at, read_at = NULL
			RETURNING id`, org, id, number, hiretext.AlertAllowanceMax, u.Period, now).Scan(&ids[i])
		if err != nil {
			return nil, err
		}
	}
	return []hiretext.AllowanceAlert{{OrgID: org, NumberID: number, Phone: t.phone, Kind: hiretext.AlertAllowanceMax,
		Period: u.Period, Used: u.Used, Allowance: u.Allowance, ResetsAt: u.ResetsAt, UserIDs: users, NotificationIDs: ids}}, nil
}

// endWaiting ends a waiting text with status and the reason users read,
// counting it in tally.
func (db *DB) endWaiting(ctx context.Context, tx conn, tally *textTally, d dueText, status hiretext.MessageStatus, reason string, now time.Time) error {
	if _, err := tally.updateCounted(ctx, tx, hiretext.StatusScheduled, `UPDATE messages SET status = ?, error_message = ?, updated_at = ?
		WHERE id = ? AND status = 'scheduled' RETURNING `+countedColumns, status, reason, now, d.id); err != nil {
		return err
	}
	return db.recordStatusEvent(ctx, tx, d.org, d.number, d.id, now)
}

// MaxScheduledList bounds one listing of waiting texts.
const MaxScheduledList = 1000

// ScheduledMessages lists org's waiting texts, soonest first: user's, or
// everyone's when user is 0.
func (db *DB) ScheduledMessages(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, limit int) ([]*hiretext.Message, error) {
	if limit <= 0 || limit > MaxScheduledList {
		limit = MaxScheduledList
	}
	q := "SELECT " + messageColumns + messageFrom + " WHERE m.org_id = ? AND m.status = 'scheduled'"
	args := []any{org}
	if user != 0 {
		q += " AND m.user_id = ?"
		args = append(args, user)
	}
	return queryAll(ctx, db.reader(), scanMessage, q+" ORDER BY m.send_at, m.id LIMIT ?", append(args, limit)...)
}

// CancelScheduled cancels a waiting text for good; see
// hiretext.ScheduleService.
func (db *DB) CancelScheduled(ctx context.Context, org hiretext.OrgID, id hiretext.MessageID, by hiretext.UserID, anyUser bool) (*hiretext.Message, error) {
	var out *hiretext.Message
	err := db.inEventTx(ctx, func(tx conn) error {
		m, err := scanMessage(tx.queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.org_id = ? AND m.id = ?", org, id))
		switch {
		case err != nil:
			return err
		case m.Direction != hiretext.Outbound || (!anyUser && m.UserID != by):
			return hiretext.Errorf(hiretext.ENotFound, "Message not found.")
		}
		now := db.now()
		// Conditional on the status, so a release that took the text first
		// wins and the cancel is refused.
		var tally textTally
		k, err := tally.updateCounted(ctx, tx, hiretext.StatusScheduled, `UPDATE messages SET status = ?, error_message = ?, updated_at = ?
			WHERE id = ? AND status = 'scheduled' RETURNING `+countedColumns, hiretext.StatusCanceled, "Canceled before it went.", now, m.ID)
		if err != nil {
			return err
		}
		if k == 0 {
			return hiretext.Errorf(hiretext.EConflict, "This text has already gone (%s); it can no longer be canceled.", m.Status)
		}
		if err := db.recordStatusEvent(ctx, tx, org, m.NumberID, m.ID, now); err != nil {
			return err
		}
		if out, err = scanMessage(tx.queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.org_id = ? AND m.id = ?", org, id)); err != nil {
			return err
		}
		return db.countTexts(ctx, tx, &tally) // last: see countTexts
	})
	return out, err
}

// SetCandidateTimeZone sets the zone candidate id is texted by; see
// hiretext.CandidateZoneService.
func (db *DB) SetCandidateTimeZone(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID, zone string) (*hiretext.Candidate, error) {
	if zone != "" {
		if _, err := hiretext.LoadZone(zone); err != nil {
			msg := hiretext.ErrorMessage(err)
			return nil, hiretext.FieldError(msg, map[string]string{"time_zone": msg})
		}
	}
	var out *hiretext.Candidate
	err := db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE candidates SET time_zone = ?, updated_at = ? WHERE org_id = ? AND id = ? AND erased_at IS NULL`,
			zone, db.now(), org, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return hiretext.Errorf(hiretext.ENotFound, "Candidate not found.")
		}
		out, err = candidateByID(ctx, tx, org, id)
		return err
	})
	return out, err
}

// lockDueResponseFacts locks the response facts rows of the due texts'
// conversations (see lockResponseConversations), changing nothing.
func lockDueResponseFacts(ctx context.Context, tx conn, due []dueText) error {
	ids := make([]any, len(due))
	for i, d := range due {
		ids[i] = d.id
	}
	convs, err := queryAll(ctx, tx, scanValue[hiretext.ConversationID],
		"SELECT DISTINCT conversation_id FROM messages WHERE id IN ("+placeholders(len(ids))+") AND conversation_id IS NOT NULL ORDER BY conversation_id", ids...)
	if err != nil || len(convs) == 0 {
		return err
	}
	newest := make(map[hiretext.ConversationID]int64, len(convs))
	for _, c := range convs {
		newest[c] = 0
	}
	_, err = lockResponseConversations(ctx, tx, due[0].org, newest)
	return err
}
