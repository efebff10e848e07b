package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statements kept prepared. The write path has a
// few dozen distinct statements; queries built for a number of rows
// ("IN (?, ?, …)") add one per length, and past the bound a statement simply
// runs unprepared, as every statement did before the cache.
const maxCachedStmts = 512

// stmtCache keeps the statements of SQLite's write transactions prepared
// on the write connection, so each is parsed and planned once rather than
// on every execution (modernc.org/sqlite keeps a prepared statement's
// compiled program). PostgreSQL needs none: pgx's stdlib connections run
// every query in its default QueryExecModeCacheStatement, preparing each
// distinct query once per connection in an LRU cache of 512.
//
// A statement cannot be prepared on the pool while a transaction holds the
// only write connection (database/sql would wait for that connection), so
// a statement first seen inside a transaction runs unprepared and is noted;
// inTx prepares the noted ones once the transaction has released the
// connection, and from then on transactions use the prepared statement
// through Tx.StmtContext, which reuses the connection's prepared handle.
type stmtCache struct {
	pool   *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]struct{} // seen in a transaction, to prepare after it
	failed map[string]struct{} // would not prepare (e.g. several statements in one string): never tried again
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, missed: map[string]struct{}{}, failed: map[string]struct{}{}}
}

// lookup returns the prepared statement for query, or nil after noting the
// query to prepare later.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if _, ok := c.failed[query]; !ok && len(c.stmts)+len(c.missed) < maxCachedStmts {
		c.missed[query] = struct{}{}
	}
	return nil
}

// prepareMissed prepares the statements noted since the last call. Call it
// with no transaction open on the pool's connection.
func (c *stmtCache) prepareMissed(ctx context.Context) {
	c.mu.Lock()
	if len(c.missed) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.missed))
	for q := range c.missed {
		queries = append(queries, q)
	}
	clear(c.missed)
	c.mu.Unlock()
	for _, missedQuery := range queries {
		s, err := c.pool.PrepareContext(ctx, missedQuery)
		c.mu.Lock()
		if err != nil {
			c.failed[missedQuery] = struct{}{}
		} else if _, dup := c.stmts[missedQuery]; dup {
			s.Close() // a concurrent call prepared it too
		} else {
			c.stmts[missedQuery] = s
		}
		c.mu.Unlock()
	}
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	clear(c.stmts)
}

// prepared returns query's statement prepared for the transaction c runs
// in, or nil when c has no cache, is not a transaction, or the query is not
// prepared yet.
func (c conn) prepared(ctx context.Context, query string) *sql.Stmt {
	if c.stmts == nil {
		return nil
	}
	tx, ok := c.q.(*sql.Tx)
	if !ok {
		return nil
	}
	s := c.stmts.lookup(query)
	if s == nil {
		return nil
	}
	return tx.StmtContext(ctx, s)
}
