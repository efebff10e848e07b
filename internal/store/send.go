package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// SendMessages queues one message per sendable candidate in one
// transaction: the user must be assigned to an active number, the body must
// be sendable, and the allowance must cover every sendable candidate (all or
// nothing). Candidates who are opted out, have no valid texting phone, have
// one in a country the number cannot text or are not this company's are
// skipped with the reason.
func (db *DB) SendMessages(ctx context.Context, req hiretext.SendRequest) ([]hiretext.SendResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var results []hiretext.SendResult
	err := db.inEventTx(ctx, func(tx conn) error {
		var err error
		results, err = db.send(ctx, tx, req, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.wakeDispatcher()
	return results, nil
}

// send is SendMessages' transaction (and SendBulk's, with bulk: its texts
// are marked so, for the carrier guard). Sends from one number run one after
// another (the number's row lock). The text is filled in for each candidate
// before anything is written, and refused as a whole when some sendable
// candidate lacks a value (hiretext.CheckPreviews). The allowance is
// reserved last, once the messages are queued, as the counter row must be
// (see allowance.go): a send it does not cover rolls back.
func (db *DB) send(ctx context.Context, tx conn, req hiretext.SendRequest, bulk bool) ([]hiretext.SendResult, error) {
	if !req.SendAt.IsZero() {
		if err := hiretext.ValidateSendAt(req.SendAt, db.now()); err != nil {
			return nil, err
		}
	}
	num, err := db.numberForUserTx(ctx, tx, req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	if _, err := lockNumber(ctx, tx, req.OrgID, num.ID); err != nil {
		return nil, err
	}
	plan, err := sendTargets(ctx, tx, req, num)
	if err != nil {
		return nil, err
	}
	previews, tpl, err := db.composeTexts(ctx, tx, req, num, plan)
	if err != nil {
		return nil, err
	}
	if err := hiretext.CheckPreviews(previews); err != nil {
		return nil, err
	}
	if len(plan.targets) == 0 {
		return mergeResults(plan, nil, previews), nil
	}
	plan.setBodies(previews)
	now := db.now()
	usage, err := loadUsageTarget(ctx, tx, req.OrgID, num.ID)
	if err != nil {
		return nil, err
	}
	if err := planTimes(ctx, tx, req, num.ID, plan, usage.loc, now); err != nil {
		return nil, err
	}
	var tally textTally
	queued, err := queueOutbound(ctx, tx, &tally, num, req.UserID, plan.targets, tpl, bulk, usage.loc, now)
	if err != nil {
		return nil, err
	}
	// Held texts hold no allowance: they count in the month they go.
	if n := plan.sendingNow(); n > 0 {
		change, err := reserveAllowance(ctx, tx, req.OrgID, num.ID, usage, n, now)
		if err != nil {
			return nil, err
		}
		if err := db.recordAlertEvents(ctx, tx, change.Alerts, now); err != nil {
			return nil, err
		}
	}
	return mergeResults(plan, queued, previews), db.countTexts(ctx, tx, &tally) // last: see countTexts
}

// PreviewMessages renders req for each distinct requested candidate as
// SendMessages would, reading from the read pool, and sends nothing.
func (db *DB) PreviewMessages(ctx context.Context, req hiretext.SendRequest) ([]hiretext.TextPreview, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	c := db.reader()
	num, err := db.numberForUserTx(ctx, c, req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	plan, err := sendTargets(ctx, c, req, num)
	if err != nil {
		return nil, err
	}
	previews, _, err := db.composeTexts(ctx, c, req, num, plan)
	return previews, err
}

// sendTarget is a candidate who will get a message, where, and its text.
type sendTarget struct {
	candidate hiretext.CandidateID
	phone     string
	body      string // filled in for the candidate (setBodies)
	segments  int    // body's
	timing    hiretext.SendTiming
	hold      hiretext.Hold // why it waits, when timing.Held
}

// sendPlan is a send's requested candidates sorted out: the distinct ids in
// request order, those found, those to text and those to skip with why.
type sendPlan struct {
	ids     []hiretext.CandidateID
	found   map[hiretext.CandidateID]*hiretext.Candidate
	targets []sendTarget
	skipped map[hiretext.CandidateID]hiretext.SkipReason
	// nextAttempt is when the attempt limit lets a skipped candidate be
	// texted again.
	nextAttempt map[hiretext.CandidateID]time.Time
}

// setBodies gives each target its text, and its segments, from previews,
// which list every distinct requested candidate.
func (p *sendPlan) setBodies(previews []hiretext.TextPreview) {
	byID := make(map[hiretext.CandidateID]*hiretext.TextPreview, len(previews))
	for i := range previews {
		byID[previews[i].CandidateID] = &previews[i]
	}
	for i := range p.targets {
		x := byID[p.targets[i].candidate]
		p.targets[i].body, p.targets[i].segments = x.Body, x.Count.Segments
	}
}

// sendTargets sorts the requested candidates into those to text and those
// to skip, in request order, ignoring repeated ids. A candidate who texted
// first is texted only by a one-to-one answer (see textedFirstTarget).
func sendTargets(ctx context.Context, tx conn, req hiretext.SendRequest, num *hiretext.Number) (*sendPlan, error) {
	from := num.Phone
	found, err := candidatesByIDsTx(ctx, tx, req.OrgID, req.CandidateIDs)
	if err != nil {
		return nil, err
	}
	plan := &sendPlan{found: found, skipped: map[hiretext.CandidateID]hiretext.SkipReason{}, nextAttempt: map[hiretext.CandidateID]time.Time{}}
	seen := map[hiretext.CandidateID]bool{}
	fromCode := phone.CountryCode(from) // once, not per candidate
	for _, id := range req.CandidateIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		plan.ids = append(plan.ids, id)
		c := found[id]
		switch {
		case c == nil:
			plan.skipped[id] = hiretext.SkipNotFound
		case c.TextedFirst():
			t, skip, err := textedFirstTarget(ctx, tx, req, num, c)
			if err != nil {
				return nil, err
			}
			if skip != "" {
				plan.skipped[id] = skip
			} else {
				plan.targets = append(plan.targets, t)
			}
		case c.SMSStatus != hiretext.SMSOptedIn:
			plan.skipped[id] = hiretext.SkipOptedOut
		case !phone.IsE164(c.TextingPhone()):
			plan.skipped[id] = hiretext.SkipNoPhone
		case !phone.InCountryCode(c.TextingPhone(), fromCode):
			plan.skipped[id] = hiretext.SkipAbroad
		default:
			plan.targets = append(plan.targets, sendTarget{candidate: id, phone: c.TextingPhone()})
		}
	}
	return plan, nil
}

// textedFirstTarget decides whether a candidate who texted first, and has
// not opted in, gets this text: only a send to them alone (a one-to-one
// answer, which goes into their conversation with num), only while the
// company's send policy allows answering them, and only to the phone they
// texted num from, which must still be theirs. Anything else skips them
// with the reason.
func textedFirstTarget(ctx context.Context, tx conn, req hiretext.SendRequest, num *hiretext.Number,
	c *hiretext.Candidate) (sendTarget, hiretext.SkipReason, error) {
	for _, id := range req.CandidateIDs {
		if id != c.ID {
			return sendTarget{}, hiretext.SkipTextedFirst, nil // a bulk send
		}
	}
	policy, err := sendPolicy(ctx, tx, req.OrgID)
	if err != nil || !policy.AnswerTextedFirst {
		return sendTarget{}, hiretext.SkipTextedFirstOff, err
	}
	var to string
	err = tx.queryRow(ctx, `SELECT v.phone FROM conversations v WHERE v.org_id = ? AND v.number_id = ? AND v.candidate_id = ?
		AND EXISTS (SELECT 1 FROM messages m WHERE m.org_id = v.org_id AND m.conversation_id = v.id AND m.direction = ?)`,
		req.OrgID, num.ID, c.ID, hiretext.Inbound).Scan(&to)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.PhoneChoiceOf(to) == hiretext.PhoneNone) {
		return sendTarget{}, hiretext.SkipTextedFirst, nil // they wrote to another number, or from a phone no longer theirs
	}
	if err != nil {
		return sendTarget{}, "", err
	}
	if !phone.InCountryCode(to, phone.CountryCode(num.Phone)) {
		return sendTarget{}, hiretext.SkipAbroad, nil
	}
	return sendTarget{candidate: c.ID, phone: to}, "", nil
}

// queueChunk bounds the rows of one multi-row statement of a bulk send: 500
// messages of 26 parameters stay well below both databases' limits.
const queueChunk = 500

// queueOutbound inserts a queued message (and its conversation, if new) for
// each target, with its own text, recording the template it came from, and
// counts them in tally. It
// takes four statements per chunk of targets, not four per target: a bulk
// send to 1,000 candidates holds the writer (and, on PostgreSQL, the
// number's counter row, which inbound texts to the number also update) for
// milliseconds rather than the better part of a second.
func queueOutbound(ctx context.Context, tx conn, tally *textTally, num *hiretext.Number, user hiretext.UserID, targets []sendTarget,
	tpl *hiretext.Template, bulk bool, loc *time.Location, now time.Time) (map[hiretext.CandidateID]hiretext.MessageID, error) {
	out := make(map[hiretext.CandidateID]hiretext.MessageID, len(targets))
	var tplID hiretext.TemplateID
	var tplName string
	if tpl != nil {
		tplID, tplName = tpl.ID, tpl.Name
	}
	period := hiretext.Period(storedTime(now), loc)
	for chunk := range chunks(targets, queueChunk) {
		convs, err := candidateConversations(ctx, tx, num.OrgID, num.ID, chunk, now)
		if err != nil {
			return nil, err
		}
		ms := make([]messageInsert, len(chunk))
		for i, t := range chunk {
			ms[i] = messageInsert{org: num.OrgID, number: num.ID, conversation: convs[t.candidate],
				candidate: t.candidate, user: user, direction: hiretext.Outbound, kind: hiretext.KindRecruiter,
				from: num.Phone, to: t.phone, body: t.body, segments: t.segments, status: hiretext.StatusQueued, provider: num.Provider,
				period: period, counted: true, template: tplID, templateName: tplName, bulk: bulk, now: now}
			if t.timing.Held {
				// Expected to count in the month it goes; nothing is reserved yet.
				ms[i].status, ms[i].counted, ms[i].period = hiretext.StatusScheduled, false, hiretext.Period(t.timing.At, loc)
				ms[i].sendAt, ms[i].hold = t.timing.At, t.hold
			}
		}
		ids, err := insertMessages(ctx, tx, tally, ms)
		if err != nil {
			return nil, err
		}
		if err := touchOutbound(ctx, tx, ms, ids, now); err != nil {
			return nil, err
		}
		if err := recordResponseTexts(ctx, tx, responseTextsOf(ms, ids)); err != nil {
			return nil, err
		}
		for i, t := range chunk {
			out[t.candidate] = ids[i]
		}
	}
	return out, nil
}

// mergeResults lists one result per distinct requested candidate, in order,
// with the text each queued one gets.
func mergeResults(plan *sendPlan, queued map[hiretext.CandidateID]hiretext.MessageID, previews []hiretext.TextPreview) []hiretext.SendResult {
	out := make([]hiretext.SendResult, len(plan.ids))
	timings := plan.timings()
	for i, id := range plan.ids {
		if m, ok := queued[id]; ok {
			t := timings[id]
			out[i] = hiretext.SendResult{CandidateID: id, Queued: true, MessageID: m, Body: previews[i].Body,
				Scheduled: t.Held, SendAt: t.At, Moved: t.Moved}
		} else {
			out[i] = hiretext.SendResult{CandidateID: id, Skipped: plan.skipped[id], NextAttemptAt: plan.nextAttempt[id]}
		}
	}
	return out
}

// numberForUserTx is NumberForUser inside a transaction; the number must be
// active to send.
func (db *DB) numberForUserTx(ctx context.Context, tx conn, org hiretext.OrgID, user hiretext.UserID) (*hiretext.Number, error) {
	n, err := db.readNumber(ctx, tx, numberSelect+`JOIN number_users nu ON nu.number_id = n.id
		WHERE nu.org_id = ? AND nu.user_id = ?`, org, user)
	switch {
	case hiretext.ErrorCode(err) == hiretext.ENotFound:
		return nil, hiretext.Errorf(hiretext.ENotAssigned, "You are not assigned to a texting number. Ask your administrator to assign you one.")
	case err != nil:
		return nil, err
	case !n.Active():
		return nil, hiretext.Errorf(hiretext.ENotAssigned, "Your texting number was released. Ask your administrator for another.")
	}
	return n, nil
}

// candidatesByIDsTx loads the candidates of org among ids, by id.
func candidatesByIDsTx(ctx context.Context, tx conn, org hiretext.OrgID, ids []hiretext.CandidateID) (map[hiretext.CandidateID]*hiretext.Candidate, error) {
	args := []any{org}
	for _, id := range ids {
		args = append(args, id)
	}
	cs, err := queryCandidates(ctx, tx, candidatesByIDsQuery(tx.d, len(ids)), args...)
	if err != nil {
		return nil, err
	}
	out := make(map[hiretext.CandidateID]*hiretext.Candidate, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// candidatesByIDsQuery selects the candidates of a company among n ids,
// looked up by id (see notIndexed).
func candidatesByIDsQuery(d dialect, n int) string {
	return "SELECT " + candidateColumns + " FROM candidates c" + d.notIndexed() +
		" WHERE c.org_id = ? AND c.erased_at IS NULL AND c.id IN (" + placeholders(n) + ")"
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// repeatRows returns n copies of a VALUES row such as "(?, ?)", separated
// by commas, for a multi-row statement.
func repeatRows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// eventData encodes an event's small payload; ids become strings, as in the API.
func eventData(fields map[string]any) json.RawMessage {
	out := map[string]any{}
	for k, v := range fields {
		switch id := v.(type) {
		case hiretext.MessageID:
			out[k] = strconv.FormatInt(int64(id), 10)
		case hiretext.ConversationID:
			out[k] = strconv.FormatInt(int64(id), 10)
		case hiretext.NumberID:
			out[k] = strconv.FormatInt(int64(id), 10)
		case hiretext.NotificationID:
			out[k] = strconv.FormatInt(int64(id), 10)
		case hiretext.NoteID:
			out[k] = strconv.FormatInt(int64(id), 10)
		default:
			out[k] = v
		}
	}
	b, _ := json.Marshal(out)
	return b
}
