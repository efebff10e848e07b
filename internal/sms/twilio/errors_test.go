package twilio_test

import (
	"fmt"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       string
		httpStatus int
		want       sms.ErrorClass
	}{
		{"21211", 400, sms.InvalidRecipient},
		{"21268", 400, sms.InvalidRecipient},
		{"21614", 400, sms.InvalidRecipient},
		{"21635", 400, sms.InvalidRecipient},
		{"30005", 0, sms.InvalidRecipient},
		{"30006", 0, sms.InvalidRecipient},
		{"21610", 400, sms.OptedOut},
		{"20429", 429, sms.Transient},
		{"21611", 400, sms.Transient},
		{"30001", 0, sms.Transient},
		{"30003", 0, sms.Transient},
		{"30008", 0, sms.Transient},
		{"30022", 0, sms.Transient},
		{"21612", 400, sms.Permanent},
		{"30004", 0, sms.Permanent},
		{"30007", 0, sms.Permanent},
		{"20003", 401, sms.Permanent},
		{"21408", 400, sms.Permanent},
		{"30034", 0, sms.Permanent},
		{"", 429, sms.Transient},
		{"", 500, sms.Transient},
		{"", 503, sms.Transient},
		{"99999", 502, sms.Transient},
		{"", 400, sms.Permanent},
		{"", 0, sms.Permanent},
		{"21211", 500, sms.InvalidRecipient}, // a known code beats the HTTP status
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.code, tt.httpStatus), func(t *testing.T) {
			t.Parallel()
			if got := twilio.Classify(tt.code, tt.httpStatus); got != tt.want {
				t.Errorf("Classify(%q, %d) = %v, want %v", tt.code, tt.httpStatus, got, tt.want)
			}
		})
	}
}
