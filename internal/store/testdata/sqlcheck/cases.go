// Package sqlcheck holds cases for TestSQLCheckerCatchesInjection: every
// statement in a function named bad… must be reported, none in good….
package sqlcheck

import (
	"context"
	"fmt"
	"strings"
)

type conn interface {
	exec(ctx context.Context, query string, args ...any) error
	execLater(ctx context.Context, query string, args ...any) error
}

// batchQuery stands for the store's batched read: its statement is checked.
func batchQuery(query string, args ...any) string { return query }

const columns = "id, name"

type parts struct{ conds []string }

func (p *parts) where(cond string) { p.conds = append(p.conds, cond) }

// badParts is parts for badField: fields are matched by name package-wide.
type badParts struct{ clauses []string }

func (p *badParts) filter(cond string) { p.clauses = append(p.clauses, cond) }

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func goodConstants(ctx context.Context, c conn, name string) {
	_ = c.exec(ctx, "SELECT "+columns+" FROM users WHERE name = ?", name)
}

func goodBuilt(ctx context.Context, c conn, ids []int, sorted bool) {
	q := "SELECT " + columns + " FROM users WHERE id IN (" + placeholders(len(ids)) + ")"
	if sorted {
		q += " ORDER BY name"
	}
	var p parts
	p.where("active")
	var b strings.Builder
	add := func(cond string) { b.WriteString(" AND " + cond + " = ?") }
	add("org_id")
	_ = c.exec(ctx, q+strings.Join(p.conds, " AND ")+b.String())
}

func badSprintf(ctx context.Context, c conn, name string) {
	_ = c.exec(ctx, fmt.Sprintf("SELECT id FROM users WHERE name = '%s'", name))
}

func badParameter(ctx context.Context, c conn, name string) {
	_ = c.exec(ctx, "SELECT id FROM users WHERE name = '"+name+"'")
}

func callerOfBadRunQuery(ctx context.Context, c conn, name string) {
	badRunQuery(ctx, c, "SELECT "+name)
}

// badRunQuery is reported for its caller's argument.
func badRunQuery(ctx context.Context, c conn, query string) { _ = c.exec(ctx, query) }

func badField(ctx context.Context, c conn, name string) {
	var p badParts
	p.filter("name = '" + name + "'")
	_ = c.exec(ctx, "SELECT id FROM users WHERE "+strings.Join(p.clauses, " AND "))
}

func badBuilder(ctx context.Context, c conn, name string) {
	var b strings.Builder
	b.WriteString("SELECT id FROM users WHERE name = '" + name + "'")
	_ = c.exec(ctx, b.String())
}

func badClosure(ctx context.Context, c conn, name string) {
	var b strings.Builder
	add := func(cond string) { b.WriteString(cond) }
	add(name)
	_ = c.exec(ctx, b.String())
}

type scanner interface{ Scan(dest ...any) error }

// queryAll is the store's row helper: it hands its caller's statement on,
// so its callers' statements are what is checked.
func queryAll[T any](ctx context.Context, c conn, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	return nil, c.exec(ctx, query, args...)
}

func scanID(row scanner) (int64, error) {
	var id int64
	return id, row.Scan(&id)
}

func goodQueryAll(ctx context.Context, c conn, name string) {
	_, _ = queryAll(ctx, c, scanID, "SELECT "+columns+" FROM users WHERE name = ?", name)
}

func badQueryAll(ctx context.Context, c conn, name string) {
	_, _ = queryAll(ctx, c, scanID, "SELECT id FROM users WHERE name = '"+name+"'")
}

func badQueryAllInstantiated(ctx context.Context, c conn, name string) {
	_, _ = queryAll[int64](ctx, c, scanID, "SELECT id FROM users WHERE name = '"+name+"'")
}

func goodExecLater(ctx context.Context, c conn, name string) {
	_ = c.execLater(ctx, "UPDATE users SET name = ? WHERE id = ?", name, 1)
	_ = batchQuery("SELECT "+columns+" FROM users WHERE name = ?", name)
}

func badExecLater(ctx context.Context, c conn, name string) {
	_ = c.execLater(ctx, "UPDATE users SET name = '"+name+"'")
}

func badBatchQuery(name string) string {
	return batchQuery("SELECT id FROM users WHERE name = '" + name + "'")
}
