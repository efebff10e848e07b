package store_test

import (
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

// The store keeps the simulator's state. The assertion is in a test so that
// the store itself imports only the simulator's records (simstate), not the
// simulator; cmd/hiretext passes db.Simulator() as the simulator's Store.
var _ simulator.Store = (*store.SimulatorStore)(nil)
