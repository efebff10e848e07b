package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/hiretext/hiretext"
)

// ExportLimits bound streaming exports (the SMS Activity report's CSV and
// XLSX, the audit trail's CSV), each of which holds a connection of the store's export pool for as
// long as its client downloads. The zero value is the default.
type ExportLimits struct {
	// PerCompany is how many exports one company may run at once on this
	// instance; default 2.
	PerCompany int
	// Max is how many run at once on this instance, every company together;
	// default 4, the store's export pool. Beyond either, an export is
	// refused with 429 and Retry-After.
	Max int
	// MaxDuration is how long one export may take, however steadily its
	// client reads: a client reading just fast enough to beat the write
	// deadline would otherwise hold its slot for hours. Default 15 min (a
	// million texts take under a minute).
	MaxDuration time.Duration
}

func (l ExportLimits) withDefaults() ExportLimits {
	if l.PerCompany <= 0 {
		l.PerCompany = 2
	}
	if l.Max <= 0 {
		l.Max = 4
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = 15 * time.Minute
	}
	return l
}

// exportRetry is the wait, in seconds, a refused export is told to allow.
const exportRetry = "30"

// startExport takes one of the instance's export slots for p's company, or
// refuses with 429 and Retry-After naming what (the report, the audit
// trail) is downloaded; release gives the slot back.
func (s *Server) startExport(w http.ResponseWriter, p *principal, what string) (limits ExportLimits, release func(), err error) {
	limits = s.cfg.Exports.withDefaults()
	if !s.exports.take(p.org.ID, limits) {
		w.Header().Set("Retry-After", exportRetry)
		return limits, nil, hiretext.Errorf(hiretext.ERateLimited, "Other downloads of %s are still running. Try again in half a minute.", what)
	}
	return limits, func() { s.exports.release(p.org.ID) }, nil
}

// exportSlots counts the exports running on this instance.
type exportSlots struct {
	mu    sync.Mutex
	byOrg map[hiretext.OrgID]int
	total int
}

// take reserves a slot for an export of org, or reports that the limits
// are reached.
func (e *exportSlots) take(org hiretext.OrgID, l ExportLimits) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byOrg == nil {
		e.byOrg = map[hiretext.OrgID]int{}
	}
	if e.byOrg[org] >= l.PerCompany || e.total >= l.Max {
		return false
	}
	e.byOrg[org]++
	e.total++
	return true
}

// release frees org's slot when its export ends.
func (e *exportSlots) release(org hiretext.OrgID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total--
	if e.byOrg[org]--; e.byOrg[org] == 0 {
		delete(e.byOrg, org)
	}
}
