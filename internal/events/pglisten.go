package events

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgChannel is the channel the store's pg_notify announces event ids on.
// Notifications only wake the pump, which reads the events table itself, so
// a lost or foreign notification (another schema on the same database) costs
// one query and nothing more.
const pgChannel = "hiretext_events"

const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 10 * time.Second
	// listenIdleCheck is how long the listener waits in silence before it
	// pings, so a connection that died without a word is noticed.
	listenIdleCheck = 30 * time.Second
)

// listen keeps one connection LISTENing and wakes the pump on every
// notification. It reconnects with capped, jittered exponential backoff
// whenever the connection is lost, and wakes the pump after each
// (re)connection so events committed while it was away are caught up.
func (b *Broker) listen(ctx context.Context, url string) {
	backoff := listenMinBackoff
	for {
		started := time.Now()
		err := b.listenOnce(ctx, url)
		b.pgPID.Store(0)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > time.Minute {
			backoff = listenMinBackoff
		}
		b.log.Warn("events: PostgreSQL listener lost; reconnecting", "err", err, "backoff", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff/2 + rand.N(backoff/2+1)):
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listenOnce connects, listens and waits for notifications until the
// connection fails or ctx ends.
func (b *Broker) listenOnce(ctx context.Context, url string) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, url)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(cctx, "LISTEN "+pgChannel); err != nil {
		return err
	}
	b.pgPID.Store(conn.PgConn().PID())
	b.log.Debug("events: listening for other instances' events", "channel", pgChannel)
	b.Wake()
	for {
		wctx, cancel := context.WithTimeout(ctx, listenIdleCheck)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			b.Wake()
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, context.DeadlineExceeded):
			// Silence: a timed-out wait leaves the connection usable; ping it.
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// Listening reports whether the PostgreSQL listener is connected; it is
// always false without Config.PostgresURL.
func (b *Broker) Listening() bool { return b.pgPID.Load() != 0 }
