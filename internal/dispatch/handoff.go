package dispatch

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hiretext/hiretext"
)

// consentGrant is one text's share of a group hand-off (see holdConsent):
// whether the text may go, as read with its group's candidates locked.
// done gives its share of the lock back; the group's lock is released when
// every text of the group has given its share back, each once its provider
// call has returned.
type consentGrant struct {
	ok    bool
	group *consentGroup
	once  sync.Once
}

// consentGroup is a group hand-off's lock and how many of its texts still
// hold a share of it.
type consentGroup struct {
	left    atomic.Int32
	release func()
}

// done gives g's share of its group's lock back. It may be called more
// than once, and on a nil grant.
func (g *consentGrant) done() {
	if g == nil {
		return
	}
	g.once.Do(func() {
		if g.group.left.Add(-1) == 0 {
			g.group.release()
		}
	})
}

// holdConsent hands the texts claimed together off as a group: one check of
// their candidates' consent, whose lock is held until the last of their
// provider calls returns (see Store.HoldConsent), instead of a transaction
// for each. It returns one grant per delivery, nil for those handed off on
// their own when they are sent (WhileConsented): a text in doubt, which is
// looked up at the provider first, one of another provider's numbers, a
// lone text, and every one when the group's locks could not all be taken
// at once. ctx must not be cancelled before the calls return: ending the
// transaction would release the locks early.
func (d *Dispatcher) holdConsent(ctx context.Context, dls []*hiretext.Delivery) []*consentGrant {
	grants := make([]*consentGrant, len(dls))
	var group []*hiretext.Delivery
	var at []int
	for i, dl := range dls {
		if dl.Provider == d.provider.Name() && !dl.InDoubt {
			group, at = append(group, dl), append(at, i)
		}
	}
	if len(group) < 2 {
		return grants // one alone costs the same either way
	}
	ok, release, err := d.store.HoldConsent(ctx, group)
	if err != nil {
		return grants // a candidate's row is being changed: one by one, waiting for it
	}
	g := &consentGroup{release: release}
	g.left.Store(int32(len(group)))
	for j, i := range at {
		grants[i] = &consentGrant{ok: ok[j], group: g}
	}
	return grants
}

// whileConsented calls send only if dl may still go, as the store's
// WhileConsented does, or as g says when dl was handed off in a group; g's
// share of the group's lock is given back when send returns.
func (d *Dispatcher) whileConsented(ctx context.Context, dl *hiretext.Delivery, g *consentGrant, send func()) (bool, error) {
	if g == nil {
		return d.store.WhileConsented(ctx, dl, send)
	}
	defer g.done()
	if g.ok {
		send()
	}
	return g.ok, nil
}
