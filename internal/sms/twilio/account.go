package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Account is what Twilio says of the configured account.
type Account struct {
	FriendlyName string
	Status       string    // "active", "suspended" or "closed"
	ServerTime   time.Time // Twilio's clock, from its answer's Date header; zero when absent
}

// CheckAccount fetches the account: a read-only call that proves the
// account SID and auth token work before a text depends on them (hiretext
// doctor). A refusal is a classified *sms.Error, as for any call.
func (p *Provider) CheckAccount(ctx context.Context) (Account, error) {
	body, header, err := p.exchange(ctx, http.MethodGet, p.accountURL()+".json", nil)
	if err != nil {
		return Account{}, err
	}
	var a struct {
		FriendlyName string `json:"friendly_name"`
		Status       string `json:"status"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return Account{}, garbledSuccess("account request", err)
	}
	out := Account{FriendlyName: a.FriendlyName, Status: a.Status}
	out.ServerTime, _ = http.ParseTime(header.Get("Date"))
	return out, nil
}
