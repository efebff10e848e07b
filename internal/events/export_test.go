package events

// ListenerPID returns the PostgreSQL backend process id of the broker's
// listener, 0 while it is disconnected.
func (b *Broker) ListenerPID() uint32 { return b.pgPID.Load() }
