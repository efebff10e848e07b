package hiretext

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// Passwords follow NIST SP 800-63B: long enough, not one attackers try
// first, and no composition rules (no demands for digits or symbols, which
// only make people write passwords down).

// MinPasswordLength and MaxPasswordLength bound passwords, in characters.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// commonPasswordList is the list of common passwords shipped with hiretext,
// most common first, lower case, one a line; wordlists/README.md says where
// it comes from and under which licence.
//
//go:embed wordlists/common-passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set, built at first use. It keeps only
// the entries long enough to pass the length rule: the others are refused
// for their length already.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for p := range strings.Lines(commonPasswordList) {
		if p = strings.TrimRight(p, "\n"); utf8.RuneCountInString(p) >= MinPasswordLength {
			set[p] = true
		}
	}
	return set
})

// ValidatePassword checks a new password: from MinPasswordLength to
// MaxPasswordLength characters, text on one line (CheckText), more than
// spaces, not one character repeated or a run of consecutive ones (such as
// "1234567890"), and not one of the common passwords shipped with hiretext,
// whatever its case.
func ValidatePassword(p string) error {
	if err := CheckText(p, SingleLine); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(p); {
	case n < MinPasswordLength:
		return Errorf(EInvalid, "Use at least %d characters.", MinPasswordLength)
	case n > MaxPasswordLength:
		return Errorf(EInvalid, "Use at most %d characters.", MaxPasswordLength)
	case strings.TrimSpace(p) == "":
		return Errorf(EInvalid, "Use more than spaces.")
	case isRun(p):
		return Errorf(EInvalid, "Repeated or consecutive characters, such as aaaaaaaaaa or 1234567890, are guessed first: choose another password.")
	case commonPasswords()[strings.ToLower(p)]:
		return Errorf(EInvalid, "This is one of the most common passwords, which attackers try first: choose another.")
	}
	return nil
}

// isRun reports whether p is one character repeated or a run of
// consecutive characters, up or down ("aaaa", "abcd", "4321").
func isRun(p string) bool {
	r := []rune(p)
	if len(r) < 2 {
		return false
	}
	step := r[1] - r[0]
	if step < -1 || step > 1 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if r[i]-r[i-1] != step {
			return false
		}
	}
	return true
}
