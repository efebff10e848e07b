package events

// Watch passes the updates of s on a channel, closed once s ends and all
// its updates are passed; the channel holds none, so updates wait in s's
// queue (and count towards its buffer) until the test receives them.
func Watch(s *Subscription) <-chan *Update {
	ready := make(chan struct{}, 1)
	out := make(chan *Update)
	s.SetWake(func() {
		select {
		case ready <- struct{}{}:
		default:
		}
	})
	go func() {
		defer close(out)
		var ups []*Update
		for range ready {
			var open bool
			ups, open = s.Take(ups)
			for _, u := range ups {
				out <- u
			}
			if !open {
				return
			}
		}
	}()
	return out
}

// ListenerPID returns the PostgreSQL backend process id of the broker's
// listener, 0 while it is disconnected.
func (b *Broker) ListenerPID() uint32 { return b.pgPID.Load() }
