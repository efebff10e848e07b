package hiretext

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Composition is a text as its sender wrote it, parsed once: the body and
// the sender's signature, each with its merge fields. Render fills it in
// for one recipient; a send renders it once per candidate and stores what
// each one receives.
type Composition struct {
	body      *MergeText
	signature *MergeText // nil without a signature
	signEvery bool
}

// NewComposition checks and parses body (errors on "body", as
// ValidateBody and ParseMergeText give them) and the sender's signature
// (errors on "signature").
func NewComposition(body string, sig Signature) (*Composition, error) {
	if err := ValidateBody(body); err != nil {
		return nil, err
	}
	b, err := ParseMergeText(body)
	if err != nil {
		return nil, err
	}
	c := &Composition{body: b, signEvery: sig.Every}
	if strings.TrimSpace(sig.Text) == "" {
		return c, nil
	}
	if err := sig.Validate(); err != nil {
		return nil, err
	}
	c.signature, _ = parseMerge(sig.Text)
	return c, nil
}

// Uses reports whether the body or the signature names f, so a sender
// looks up only the values a text needs.
func (c *Composition) Uses(f MergeField) bool {
	return c.body.Uses(f) || (c.signature != nil && c.signature.Uses(f))
}

// SignsFirstTextOnly reports whether the signature goes only on the first
// text of a conversation, so the sender must know whom it texted before.
func (c *Composition) SignsFirstTextOnly() bool { return c.signature != nil && !c.signEvery }

// Signed reports whether a text to a conversation gets the signature;
// first says the conversation has no text from the company's number yet.
func (c *Composition) Signed(first bool) bool { return c.signature != nil && (c.signEvery || first) }

// Rendering is a text as one recipient receives it.
type Rendering struct {
	Body    string
	Count   SegmentCount
	Missing []MergeField // fields without a value or fallback, in MergeFields order
}

// Render returns the text for a recipient with values v; first says the
// conversation has no text from the company's number yet (see Signed). The
// signature goes on a line of its own.
func (c *Composition) Render(v *MergeValues, first bool) Rendering {
	body, missing := c.body.Render(v)
	if c.Signed(first) {
		sig, more := c.signature.Render(v)
		body = strings.TrimRightFunc(body, unicode.IsSpace) + "\n" + sig
		missing = unionFields(missing, more)
	}
	return Rendering{Body: body, Count: CountSegments(body), Missing: missing}
}

// unionFields merges two lists of fields in MergeFields order.
func unionFields(a, b []MergeField) []MergeField {
	if len(b) == 0 {
		return a
	}
	var out []MergeField
	for _, f := range MergeFields {
		if slices.Contains(a, f) || slices.Contains(b, f) {
			out = append(out, f)
		}
	}
	return out
}

// TextPreview is the text one candidate of a send would receive, or why
// they would not be texted.
type TextPreview struct {
	CandidateID   CandidateID
	CandidateName string // "" for a candidate not found
	Rendering
	Skipped SkipReason // "" when the candidate would be texted
}

// CheckPreviews returns nil when every candidate who would be texted can be
// sent their text. Otherwise it returns *MissingValues when some lack a
// value the text needs, or a field error on "body" when the filled-in text
// is too long or empty for some. Skipped candidates do not count: a
// candidate who cannot be texted does not hold the others' texts back.
func CheckPreviews(ps []TextPreview) error {
	missing := map[MergeField][]CandidateID{}
	long, blank := 0, 0
	for _, p := range ps {
		if p.Skipped != "" {
			continue
		}
		for _, f := range p.Missing {
			missing[f] = append(missing[f], p.CandidateID)
		}
		switch {
		case p.Count.Characters > MaxBodyChars:
			long++
		case isBlank(p.Body):
			blank++
		}
	}
	switch {
	case len(missing) > 0:
		m := &MissingValues{}
		for _, f := range MergeFields {
			if ids := missing[f]; len(ids) > 0 {
				m.By = append(m.By, MissingField{Field: f, Candidates: ids})
			}
		}
		return m
	case long > 0:
		return bodyError(fmt.Sprintf("Filled in, the text is longer than %d characters for %s: shorten it.", MaxBodyChars, candidates(long)))
	case blank > 0:
		return bodyError(fmt.Sprintf("Filled in, the text is empty for %s: write a message.", candidates(blank)))
	}
	return nil
}

// candidates counts candidates in words: "1 candidate", "3 candidates".
func candidates(n int) string {
	if n == 1 {
		return "1 candidate"
	}
	return fmt.Sprintf("%d candidates", n)
}

// Longest returns the sendable preview whose text costs the most segments
// (then characters), which is what the composer counts for a bulk send; ok
// is false when no candidate would be texted.
func Longest(ps []TextPreview) (p TextPreview, ok bool) {
	for _, x := range ps {
		if x.Skipped != "" {
			continue
		}
		if !ok || x.Count.Segments > p.Count.Segments ||
			(x.Count.Segments == p.Count.Segments && x.Count.Characters > p.Count.Characters) {
			p, ok = x, true
		}
	}
	return p, ok
}
