package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// ActivitySeed is a company with generated texting history, for the SMS
// Activity report's tests and benchmarks.
type ActivitySeed struct {
	Org        *hiretext.Organization
	Numbers    []*hiretext.Number
	Users      []*hiretext.User // two recruiters per number: Users[2i] and Users[2i+1] text from Numbers[i]
	Candidates []hiretext.CandidateID
	Messages   int
}

// ActivityOptions shape SeedActivity's history.
type ActivityOptions struct {
	Messages   int       // how many texts
	From, To   time.Time // spread evenly over [From, To)
	Numbers    int       // default 4
	Candidates int       // default 200
}

// Activity's generated mix: of every 3 texts, 2 are outbound; of outbound
// texts, 1 in 50 failed, 1 in 200 was not delivered and 1 in 100 is an
// automatic keyword reply; the rest were delivered.
const (
	activityFailedEvery      = 50
	activityUndeliveredEvery = 200
	activityReplyEvery       = 100
)

// SeedActivity creates a company with numbers, recruiters and candidates and
// bulk-inserts o.Messages texts between them, with the allowance counters
// and the report's daily counters they imply. It writes rows directly (hundreds per statement, tens of
// thousands per transaction) because sending a million texts one at a time
// would take hours; the rows are the ones sending and receiving write.
func SeedActivity(tb testing.TB, db *store.DB, o ActivityOptions) *ActivitySeed {
	tb.Helper()
	o.Numbers, o.Candidates = cmpOr(o.Numbers, 4), cmpOr(o.Candidates, 200)
	s := &ActivitySeed{Org: MustCreateOrg(tb, db, "Activity"), Messages: o.Messages}
	MustGrantNumbers(tb, db, s.Org.ID, o.Numbers, hiretext.MaxMonthlyAllowance)
	for i := range o.Numbers {
		n := MustAddNumber(tb, db, s.Org.ID)
		s.Numbers = append(s.Numbers, n)
		for j := range 2 {
			u := MustCreateUser(tb, db, s.Org.ID, fmt.Sprintf("Recruiter %d%c", i+1, 'A'+j), hiretext.RoleUser, hiretext.PermProfiles)
			MustAssign(tb, db, s.Org.ID, n.ID, u.ID)
			s.Users = append(s.Users, u)
		}
	}
	SeedPool(tb, db, s.Org.ID, o.Candidates, 2)
	g := &activityGen{seed: s, o: o, loc: s.Org.Location(), usage: map[usageKey]int{}}
	if err := g.run(context.Background(), db); err != nil {
		tb.Fatalf("seed activity: %v", err)
	}
	return s
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

type usageKey struct {
	number hiretext.NumberID
	period string
}

// activityGen writes the generated history.
type activityGen struct {
	seed  *ActivitySeed
	o     ActivityOptions
	loc   *time.Location
	db    *store.DB
	cands []activityCandidate
	usage map[usageKey]int
}

type activityCandidate struct {
	id           hiretext.CandidateID
	first, phone string
	conversation int64
	number       *hiretext.Number
}

func (g *activityGen) run(ctx context.Context, db *store.DB) error {
	_, w := db.Pools()
	g.db = db
	if err := g.conversations(ctx, w); err != nil {
		return err
	}
	const perStatement, perTx = 500, 50_000
	for start := 0; start < g.o.Messages; start += perTx {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i := start; i < min(start+perTx, g.o.Messages); i += perStatement {
			if err := g.insert(ctx, tx, i, min(i+perStatement, start+perTx, g.o.Messages)); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if err := g.counters(ctx, w); err != nil {
		return err
	}
	if err := db.RecountActivity(ctx, g.seed.Org.ID); err != nil {
		return err
	}
	// The response facts the store keeps as it writes texts, built here
	// from the rows as the first report after migration 0026 would.
	if err := db.MarkResponseFactsStale(ctx, g.seed.Org.ID); err != nil {
		return err
	}
	if err := db.BuildResponseFacts(ctx, g.seed.Org.ID); err != nil {
		return err
	}
	if db.Dialect() == "postgres" {
		// What autovacuum would do soon after: statistics for the planner
		// (without them it takes the 200 new candidates for one row and
		// joins them by scanning), and the visibility map that index-only
		// scans need.
		_, err := w.ExecContext(ctx, "VACUUM ANALYZE messages, conversations, candidates, numbers, users, number_usage, activity_daily, response_segments, response_waits")
		return err
	}
	return nil
}

// conversations opens one conversation per candidate with one of the numbers.
func (g *activityGen) conversations(ctx context.Context, w *sql.DB) error {
	rows, err := w.QueryContext(ctx, g.db.Rebind("SELECT id, first_name, main_phone FROM candidates WHERE org_id = ? ORDER BY id"), g.seed.Org.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c activityCandidate
		if err := rows.Scan(&c.id, &c.first, &c.phone); err != nil {
			rows.Close()
			return err
		}
		c.number = g.seed.Numbers[len(g.cands)%len(g.seed.Numbers)]
		g.cands = append(g.cands, c)
		g.seed.Candidates = append(g.seed.Candidates, c.id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range g.cands {
		c := &g.cands[i]
		err := w.QueryRowContext(ctx, g.db.Rebind(`INSERT INTO conversations (org_id, number_id, candidate_id, phone, last_message_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), g.seed.Org.ID, c.number.ID, c.id, c.phone, g.o.From.UTC(), g.o.From.UTC()).Scan(&c.conversation)
		if err != nil {
			return err
		}
	}
	return nil
}

const activityInsert = `INSERT INTO messages (org_id, number_id, conversation_id, candidate_id, user_id, direction, kind,
	from_phone, to_phone, body, segments, status, error_code, error_message, provider, period, counted,
	next_attempt_at, created_at, updated_at) VALUES `

// insert writes texts [from, to) in one statement.
func (g *activityGen) insert(ctx context.Context, tx *sql.Tx, from, to int) error {
	var b strings.Builder
	b.WriteString(activityInsert)
	args := make([]any, 0, (to-from)*20)
	span := g.o.To.Sub(g.o.From)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		at := g.o.From.Add(time.Duration(float64(span) * float64(i) / float64(g.o.Messages))).UTC().Truncate(time.Microsecond)
		args = append(args, g.row(i, at)...)
	}
	_, err := tx.ExecContext(ctx, g.db.Rebind(b.String()), args...)
	return err
}

// row returns the columns of the i-th text, at at.
func (g *activityGen) row(i int, at time.Time) []any {
	c := g.cands[i%len(g.cands)]
	n := c.number
	period := hiretext.Period(at, g.loc)
	g.usage[usageKey{n.ID, period}]++
	var user any
	dir, kind, status, code, reason := hiretext.Outbound, hiretext.KindRecruiter, hiretext.StatusDelivered, "", ""
	from, to := n.Phone, c.phone
	body := fmt.Sprintf("Hi %s, this is about your application (%d). Are you free for a call tomorrow at %d?", c.first, i, 9+i%8)
	switch out := i/3*2 + i%3; { // out numbers the outbound texts
	case i%3 == 2:
		dir, kind, status, from, to = hiretext.Inbound, hiretext.KindInbound, hiretext.StatusReceived, c.phone, n.Phone
		body = fmt.Sprintf("Yes, %d works for me. Thanks! (%d)", 9+i%8, i)
	case out%activityReplyEvery == 0:
		kind, body = hiretext.KindKeywordReply, "Acme: reply STOP to opt out, HELP for help."
	case out%activityFailedEvery == 1:
		status, code, reason = hiretext.StatusFailed, "30006", "The phone is a landline or cannot receive texts."
	case out%activityUndeliveredEvery == 3:
		status, code, reason = hiretext.StatusUndelivered, "30003", "The carrier could not deliver the text: the phone is off or out of service."
	}
	if kind == hiretext.KindRecruiter {
		idx := g.indexOf(n)*2 + (i/7)%2
		user = int64(g.seed.Users[idx].ID)
	}
	counted := !hiretext.Failed(status)
	if !counted {
		g.usage[usageKey{n.ID, period}]--
	}
	return []any{int64(g.seed.Org.ID), int64(n.ID), c.conversation, int64(c.id), user, string(dir), string(kind),
		from, to, body, hiretext.CountSegments(body).Segments, string(status), code, reason, "test", period, counted, at, at, at}
}

func (g *activityGen) indexOf(n *hiretext.Number) int {
	for i, m := range g.seed.Numbers {
		if m.ID == n.ID {
			return i
		}
	}
	return 0
}

// counters writes each number's usage row per month, as sending and
// receiving would have.
func (g *activityGen) counters(ctx context.Context, w *sql.DB) error {
	for k, used := range g.usage {
		start, err := hiretext.PeriodStart(k.period, g.loc)
		if err != nil {
			return err
		}
		if _, err := w.ExecContext(ctx, g.db.Rebind(`INSERT INTO number_usage (org_id, number_id, period, allowance, used, resets_at)
			VALUES (?, ?, ?, ?, ?, ?)`), g.seed.Org.ID, k.number, k.period, hiretext.MaxMonthlyAllowance, used,
			hiretext.PeriodResetsAt(start, g.loc).UTC()); err != nil {
			return err
		}
	}
	return nil
}
