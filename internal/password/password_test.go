package password

import (
	"context"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewHasher(Fast, 2)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", enc)
	}
	if ok, err := h.Verify(ctx, enc, "correct horse battery"); err != nil || !ok {
		t.Fatalf("right password rejected: ok=%v err=%v", ok, err)
	}
	if ok, _ := h.Verify(ctx, enc, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	enc2, _ := h.Hash(ctx, "correct horse battery")
	if enc == enc2 {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestVerifyUsesStoredParams(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old, _ := NewHasher(Fast, 1).Hash(ctx, "pw-0123456789")
	// A hasher configured with other costs still verifies hashes made earlier.
	if ok, err := NewHasher(OWASP, 1).Verify(ctx, old, "pw-0123456789"); err != nil || !ok {
		t.Fatalf("old hash not verified: ok=%v err=%v", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	h := NewHasher(Fast, 1)
	for _, enc := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := h.Verify(context.Background(), enc, "x"); err != ErrMalformed {
			t.Errorf("Verify(%q) error = %v, want ErrMalformed", enc, err)
		}
	}
}

func TestUnmatchableCostsOneVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewHasher(Fast, 1)
	enc := h.Unmatchable()
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("Unmatchable() = %q: not at the hasher's cost", enc)
	}
	if h.Derivations() != 0 {
		t.Fatalf("making the unmatchable hash derived %d keys, want none", h.Derivations())
	}
	for _, pw := range []string{"", "correct horse battery", "\x00"} {
		if ok, err := h.Verify(ctx, enc, pw); ok || err != nil {
			t.Errorf("Verify(unmatchable, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
	if h.Derivations() != 3 {
		t.Fatalf("three verifies derived %d keys, want 3", h.Derivations())
	}
}
