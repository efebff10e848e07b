package hiretext

import (
	"strings"
	"testing"
)

// TestValidatePassword refuses the review's weak passwords (NIST SP 800-63B:
// length, a blocklist, no composition rules) and accepts long ones of any
// make-up.
func TestValidatePassword(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		password, why string
	}{
		{"short", "Use at least 10"},
		{strings.Repeat("x", 257), "Use at most 256"},
		{"1234567890", "most common passwords"},
		{"aaaaaaaaaa", "Repeated or consecutive"},
		{"9876543210", "Repeated or consecutive"},
		{"abcdefghijk", "Repeated or consecutive"},
		{"          ", "more than spaces"},
		{strings.Repeat("\x00", 10), "control character NUL"},
		{"new\npassword1", "one line"},
		{"pass\xffword12", "not text"},
		{"qwertyuiop", "most common passwords"},
		{"Password12", "most common passwords"},
		{"BASKETBALL", "most common passwords"},
		{"1q2w3e4r5t", "most common passwords"},
	} {
		err := ValidatePassword(c.password)
		if ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), c.why) {
			t.Errorf("ValidatePassword(%q) = %v, want a field error saying %q", c.password, err, c.why)
		}
	}
	for _, ok := range []string{"correct-horse-battery", "hiretext-demo", "a-new-password-1", "Tr0ub4dor&3xyz", "zoë wörter über", "  spaced out  "} {
		if err := ValidatePassword(ok); err != nil {
			t.Errorf("ValidatePassword(%q) = %v, want nil: no composition rules", ok, err)
		}
	}
}

func TestCommonPasswordListIsShipped(t *testing.T) {
	t.Parallel()
	if n := strings.Count(commonPasswordList, "\n"); n < 10000 {
		t.Fatalf("the common password list has %d entries, want at least 10,000", n)
	}
	if len(commonPasswords()) < 1000 {
		t.Fatalf("only %d common passwords are long enough to matter", len(commonPasswords()))
	}
}
