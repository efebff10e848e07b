package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// DefaultLoginLimit allows 5 failed password checks per 15 minutes for one
// email from one client, then blocks that pair for 15 minutes. The counts
// are kept in the database (hiretext.ThrottleService), so every instance
// shares them.
var DefaultLoginLimit = hiretext.ThrottleRule{Limit: 5, Window: 15 * time.Minute, Block: 15 * time.Minute}

// Failed password checks are counted three ways, each with the login limit's
// window and block:
//
//   - one email from one client (the login limit): someone guessing one
//     account's password;
//   - one client, whatever the emails (clientFactor times the limit):
//     someone trying a few passwords on many accounts;
//   - one email from every client together (emailFactor times the limit):
//     many clients guessing one account. Blocking the email itself would let
//     anyone lock a named user out, so it only tightens the first count: while
//     the email is over its limit, one failure blocks its pair. A client that
//     has not itself failed still logs in with the right password.
//
// Login and My settings' check of the current password count alike, so a
// stolen session cannot guess the password either.
const (
	clientFactor = 10
	emailFactor  = 20
)

// passwordCheck is one check of a password for email from a client.
type passwordCheck struct {
	pair, client, email string
}

// newPasswordCheck names the throttle keys of a check of email's password
// from r's client.
func (s *Server) newPasswordCheck(r *http.Request, email string) passwordCheck {
	email, ip := strings.ToLower(strings.TrimSpace(email)), s.clientIP(r)
	return passwordCheck{pair: "login:" + email + " from " + ip, client: "ip:" + ip, email: "email:" + email}
}

// wait returns how long the client must wait before it may check the
// password again, or 0.
func (s *Server) wait(ctx context.Context, c passwordCheck) (time.Duration, error) {
	return s.store.ThrottleWait(ctx, c.pair, c.client)
}

// failed counts a wrong password.
func (s *Server) failed(ctx context.Context, c passwordCheck) error {
	limit := s.cfg.LoginLimit
	wide := func(factor int) hiretext.ThrottleRule {
		return hiretext.ThrottleRule{Limit: factor * limit.Limit, Window: limit.Window, Block: limit.Block}
	}
	underAttack, err := s.store.ThrottleWait(ctx, c.email)
	if err != nil {
		return err
	}
	pair := limit
	if underAttack > 0 {
		pair.Limit = 1
	}
	if err := s.store.ThrottleCount(ctx, pair, c.pair); err != nil {
		return err
	}
	if err := s.store.ThrottleCount(ctx, wide(clientFactor), c.client); err != nil {
		return err
	}
	return s.store.ThrottleCount(ctx, wide(emailFactor), c.email)
}

// succeeded forgets the pair's failures: the person knows the password.
// The client's and the email's counts stay, or logging in to an account of
// one's own between guesses would reset them.
func (s *Server) succeeded(ctx context.Context, c passwordCheck) error {
	return s.store.ThrottleForget(ctx, c.pair)
}

// retryAfter formats a wait as whole seconds for the Retry-After header.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// humanWait formats a wait for people.
func humanWait(d time.Duration) string {
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return strconv.Itoa(m) + " minutes"
	}
	return "a minute"
}
