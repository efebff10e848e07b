package hiretext

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// The consent ledger keeps evidence that must outlive the person it is
// about: an erased candidate's opt-out must still be honoured, and anyone
// must be able to check that no entry was edited. So personal values (the
// phone number, the address and browser of an applicant, the note, which
// may quote a text) enter the ledger only as keyed hashes (HMAC-SHA-256
// with a per-installation secret: a phone number cannot be found again by
// hashing all ten billion of them without the secret), while the values
// themselves are kept beside the ledger, where erasure can delete them.
// Each company's entries form a hash chain: every entry's hash covers the
// previous entry's hash and the entry, so changing, removing or reordering
// any entry breaks every hash after it.

// KeyedHash is the hex HMAC-SHA-256 of value under key, or "" for "".
func KeyedHash(key []byte, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// ConsentEvidence is the erasable personal part of a ledger entry.
type ConsentEvidence struct {
	PhoneNumber string // E.164, the phone the entry is about
	IP          string
	UserAgent   string
	Note        string
}

// Hash is the keyed hash of the evidence as a whole, as the chain covers it.
func (e ConsentEvidence) Hash(key []byte) string {
	return KeyedHash(key, canonical(e.PhoneNumber, e.IP, e.UserAgent, e.Note))
}

// LedgerEntry is one consent ledger entry as its company's hash chain
// covers it: the entry's own fields, with the personal values as keyed
// hashes.
type LedgerEntry struct {
	OrgID         OrgID
	Seq           int64 // 1, 2, 3… within the company
	EventID       ConsentEventID
	CandidateID   CandidateID
	Status        SMSStatus
	Phone         PhoneChoice
	PhoneHash     string // KeyedHash of the phone number
	Source        ConsentSource
	ApplicationID ApplicationID
	Disclosure    string
	UserID        UserID
	MessageID     int64
	Rule          string
	EvidenceHash  string // ConsentEvidence.Hash
	CreatedAt     time.Time
	PrevHash      string // the hash of entry Seq-1; "" for the first
	Hash          string
}

// LedgerTimeFormat is how an entry's time enters its hash: UTC, to the
// microsecond, as the databases store it.
const LedgerTimeFormat = "2006-01-02T15:04:05.000000Z"

// ComputeHash returns the hash the entry should have: SHA-256 over the
// previous hash and every field of the entry, each length-prefixed so no
// two different entries write the same bytes.
func (e *LedgerEntry) ComputeHash() string {
	sum := sha256.Sum256([]byte(canonical("hiretext-consent-v1", e.PrevHash,
		strconv.FormatInt(int64(e.OrgID), 10), strconv.FormatInt(e.Seq, 10), strconv.FormatInt(int64(e.EventID), 10),
		strconv.FormatInt(int64(e.CandidateID), 10), string(e.Status), string(e.Phone), e.PhoneHash, string(e.Source),
		strconv.FormatInt(int64(e.ApplicationID), 10), e.Disclosure, strconv.FormatInt(int64(e.UserID), 10),
		strconv.FormatInt(e.MessageID, 10), e.Rule, e.EvidenceHash, e.CreatedAt.UTC().Format(LedgerTimeFormat))))
	return hex.EncodeToString(sum[:])
}

// canonical joins fields unambiguously: each as its length, ':', itself.
func canonical(fields ...string) string {
	var b []byte
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return string(b)
}

// LedgerVerifier checks a company's chain entry by entry, in order.
type LedgerVerifier struct {
	Key     []byte // the installation's ledger key, to check evidence still held
	Entries int64  // entries checked so far
	prev    string
}

// Check verifies the next entry of the chain and, when the evidence is
// still held (nil once erased), that it matches its hashes. The error
// names the entry and what does not match.
func (v *LedgerVerifier) Check(e *LedgerEntry, evidence *ConsentEvidence) error {
	v.Entries++
	bad := func(format string, args ...any) error {
		return fmt.Errorf("entry %d (consent event %d): %s", e.Seq, e.EventID, fmt.Sprintf(format, args...))
	}
	switch {
	case e.Seq != v.Entries:
		return bad("out of sequence: expected entry %d", v.Entries)
	case e.PrevHash != v.prev:
		return bad("its previous hash is not the hash of the entry before it")
	case e.ComputeHash() != e.Hash:
		return bad("its hash does not match its contents")
	}
	if evidence != nil {
		if evidence.Hash(v.Key) != e.EvidenceHash {
			return bad("its evidence (phone, address, browser or note) was changed")
		}
		if KeyedHash(v.Key, evidence.PhoneNumber) != e.PhoneHash {
			return bad("its phone number was changed")
		}
	}
	v.prev = e.Hash
	return nil
}

// LedgerReport is the outcome of verifying a company's consent ledger.
type LedgerReport struct {
	Entries  int64  // entries in the chain
	Unsealed int64  // consent events with no chain entry (only an edit of the database makes one)
	Head     string // the hash of the last entry
	Problem  string // the first entry that does not match, or "" when the chain holds
}

// OK reports whether the whole ledger verified.
func (r *LedgerReport) OK() bool { return r.Problem == "" }
