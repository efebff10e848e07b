package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined writes (PostgreSQL). Each statement of a transaction is a round
// trip: the client sends it and waits for the answer before sending the
// next, and on a busy machine the wait (two processes woken, the answer
// read) costs more than the statement. A write whose outcome the
// transaction does not read (the conversation's UPDATE after an inbound
// text, its event and NOTIFY, its response facts) need not be waited for on
// its own: execLater queues it, and the queue goes as one pgx batch (one
// write, one answer read) together with the next exec, or on its own just
// before the next query or the commit.
//
// A queued statement that fails fails its transaction, as it would have
// where it was written: PostgreSQL aborts the transaction at the first
// error, every statement after it fails, and the transaction returns that
// first error (so a unique violation is still recognized by the callers
// that map it). Use execLater only where a failure ends the transaction
// anyway, never where the caller would handle the error and go on.
//
// pgx prepares a batch's statements before it runs any, so a batch cannot
// use a table it creates: queue only statements on existing tables.
//
// SQLite runs statements in process, with no round trip to save, so there
// execLater is exec.
type pipeline struct {
	conn    *sql.Conn // the transaction's connection, for its pgx batch
	pending []queuedExec
	err     error // the first failure of a batch, which ends the transaction
}

// queuedExec is a statement waiting in a pipeline, rebound for PostgreSQL.
type queuedExec struct {
	query string
	args  []any
}

// execLater runs query on c, now or in a batch with later statements of
// the transaction (see pipeline). Its error, on PostgreSQL, is a failure of
// an earlier batch; a failure of its own ends the transaction.
func (c conn) execLater(ctx context.Context, query string, args ...any) error {
	if c.pipe == nil {
		_, err := c.exec(ctx, query, args...)
		return err
	}
	if c.pipe.err != nil {
		return c.pipe.err
	}
	c.pipe.pending = append(c.pipe.pending, queuedExec{query: c.d.rebind(query), args: args})
	return nil
}

// flush sends the queued statements, if any, and waits for their answers.
func (p *pipeline) flush(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if len(p.pending) == 0 {
		return p.err
	}
	_, err := p.batch(ctx, nil, nil, nil)
	return err
}

// failed returns the first failure of a queued statement, if any.
func (p *pipeline) failed() error {
	if p == nil {
		return nil
	}
	return p.err
}

// send sends the queued statements and then last in one batch, and
// returns last's result.
func (p *pipeline) send(ctx context.Context, last *queuedExec) (sql.Result, error) {
	n, err := p.batch(ctx, nil, last, nil)
	if err != nil {
		return nil, err
	}
	return rowsAffected(n), nil
}

// batch sends the queued statements, then last (if not nil), then the
// reads (rebound for d), as one pgx batch on the transaction's connection,
// and returns the rows last affected. A failure of a queued statement or of
// last is the transaction's; a read's is only returned.
func (p *pipeline) batch(ctx context.Context, d dialect, last *queuedExec, reads []batchRead) (int64, error) {
	if p.err != nil {
		return 0, p.err
	}
	writes := p.pending
	if last != nil {
		writes = append(writes, *last)
	}
	p.pending = p.pending[:0]
	var affected int64
	err := p.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: batched statements need pgx's stdlib connection, not %T", driverConn)
		}
		var b pgx.Batch
		for _, s := range writes {
			b.Queue(s.query, s.args...)
		}
		for _, r := range reads {
			b.Queue(d.rebind(r.query), r.args...)
		}
		results := c.Conn().SendBatch(ctx, &b)
		defer results.Close()
		for range writes {
			tag, err := results.Exec()
			if err != nil {
				p.err = fmt.Errorf("store: pipelined statements: %w", err)
				return p.err
			}
			affected = tag.RowsAffected()
		}
		for _, r := range reads {
			if err := readRows(results, r.each); err != nil {
				return err
			}
		}
		return results.Close()
	})
	return affected, err
}

// rowsAffected is the sql.Result of a statement sent in a batch.
type rowsAffected int64

func (r rowsAffected) LastInsertId() (int64, error) {
	return 0, errors.New("store: no LastInsertId on PostgreSQL; use RETURNING")
}

func (r rowsAffected) RowsAffected() (int64, error) { return int64(r), nil }

// batchRead is a query whose rows each reads, one after the other, sent in
// a batch by readBatch.
type batchRead struct {
	query string
	args  []any
	each  func(row scanner) error
}

// batchQuery is a read of readBatch: query with args, each row read by each.
func batchQuery(query string, each func(row scanner) error, args ...any) batchRead {
	return batchRead{query: query, args: args, each: each}
}

// readBatch sends the queued writes and then the reads, in order, and
// calls each read's function with its rows: on PostgreSQL in one round
// trip (a pgx batch), elsewhere one query after the other. The rows of a
// batch are scanned by pgx itself rather than through database/sql, which
// reads Go's basic types, time.Time, sql.Null* and named types of these
// alike; scan only into those.
func (c conn) readBatch(ctx context.Context, reads ...batchRead) error {
	if c.pipe == nil {
		for _, r := range reads {
			if err := queryEach(ctx, c, r.each, r.query, r.args...); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := c.pipe.batch(ctx, c.d, nil, reads)
	return err
}

// readRows reads the next result of a batch, row by row, with each.
func readRows(results pgx.BatchResults, each func(row scanner) error) error {
	rows, err := results.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}
