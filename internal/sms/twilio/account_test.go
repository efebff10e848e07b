package twilio_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// TestCheckAccount: the right credentials read the account and Twilio's
// clock; a wrong auth token is Twilio's 20003, a permanent error.
func TestCheckAccount(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	a, err := p.CheckAccount(context.Background())
	if err != nil || a.Status != "active" || a.FriendlyName == "" || a.ServerTime.IsZero() {
		t.Fatalf("CheckAccount = %+v, %v", a, err)
	}
	wrong, _ := newFake(t, func(c *twilio.Config) { c.AuthToken = "ffeeddccbbaa99887766554433221100" })
	_, err = wrong.CheckAccount(context.Background())
	var se *sms.Error
	if !errors.As(err, &se) || se.Code != "20003" || se.Class != sms.Permanent {
		t.Fatalf("wrong token: %v, want Twilio's 20003", err)
	}
}
