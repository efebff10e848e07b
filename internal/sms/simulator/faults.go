package simulator

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Faults make the simulator fail the way carriers and their networks do,
// so hiretext's delivery guarantees are tested against the same failures
// Twilio has. Each is the fraction (0 to 1) of occasions it strikes.
type Faults struct {
	// LoseAnswers is the share of accepted sends answered as if the answer
	// were lost: the text is delivered, the sender is told the outcome is
	// unknown (sms.Error Uncertain).
	LoseAnswers float64
	// HangSends is the share of sends that never answer: the call waits
	// until the caller gives up, and the text is not taken (the caller
	// cannot know that either: it must look the send up).
	HangSends float64
	// DropStatus is the share of status callbacks (each step: sent,
	// delivered) never delivered.
	DropStatus float64
	// DropInbound is the share of inbound-message webhooks never delivered.
	DropInbound float64
	// Rand returns a number in [0, 1); math/rand/v2's Float64 when nil.
	// Tests make it deterministic.
	Rand func() float64
}

// faultNames maps ParseFaults's names to the fields.
var faultNames = map[string]func(*Faults) *float64{
	"lose-answers": func(f *Faults) *float64 { return &f.LoseAnswers },
	"hang-sends":   func(f *Faults) *float64 { return &f.HangSends },
	"drop-status":  func(f *Faults) *float64 { return &f.DropStatus },
	"drop-inbound": func(f *Faults) *float64 { return &f.DropInbound },
}

// ParseFaults reads faults written as "lose-answers=0.05,hang-sends=0.01,
// drop-status=0.1,drop-inbound=0.1" (any of them, in any order); "" is no
// faults.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		field, ok := faultNames[strings.TrimSpace(name)]
		if !ok {
			return Faults{}, fmt.Errorf("unknown simulator fault %q: use lose-answers, hang-sends, drop-status or drop-inbound", name)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return Faults{}, fmt.Errorf("simulator fault %s=%q: give a fraction from 0 to 1, e.g. %s=0.05", name, value, name)
		}
		*field(&f) = v
	}
	return f, nil
}

// roll reports whether a fault of the given rate strikes this time.
func (f Faults) roll(rate float64) bool {
	if rate <= 0 {
		return false
	}
	r := rand.Float64
	if f.Rand != nil {
		r = f.Rand
	}
	return r() < rate
}
