package store_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLIsBuiltFromConstants reads the store's source and fails for any
// statement whose text could contain a value: every query passed to
// query/queryRow/exec (the store's conn), to queryAll/queryEach (its row
// helpers) or to database/sql must be built from string constants alone, so
// values can only travel as parameters.
//
// "Built from constants" is checked syntactically: literals and constants;
// + of such; local variables and parameters whose every assignment (and,
// for parameters, every caller's argument) is such; calls to the package's
// functions whose every return is such (placeholders, activityFrom, …);
// strings.Repeat, strings.Join, strconv.Itoa and append over such. Method
// and function calls are matched by name, which can only make the check
// stricter. The few statements taken from fixed data are listed in
// trustedExprs with the reason.
func TestSQLIsBuiltFromConstants(t *testing.T) {
	problems, checked := unsafeSQL(t, ".")
	for _, p := range problems {
		t.Error(p.msg)
	}
	if checked < 50 {
		t.Fatalf("only %d statements found: the checker no longer recognises the store's calls", checked)
	}
}

// TestSQLCheckerCatchesInjection runs the checker on cases: it must report
// every statement of the functions named bad… and none of good….
func TestSQLCheckerCatchesInjection(t *testing.T) {
	problems, _ := unsafeSQL(t, "testdata/sqlcheck")
	reported := map[string]bool{}
	for _, p := range problems {
		reported[p.fn] = true
		if !strings.HasPrefix(p.fn, "bad") {
			t.Errorf("false alarm: %s", p.msg)
		}
	}
	for _, fn := range []string{"badSprintf", "badParameter", "badRunQuery", "badField", "badBuilder", "badClosure",
		"badQueryAll", "badQueryAllInstantiated", "badExecLater", "badBatchQuery"} {
		if !reported[fn] {
			t.Errorf("%s was not reported", fn)
		}
	}
}

// sqlProblem is one statement not built from constants.
type sqlProblem struct{ fn, msg string }

// unsafeSQL checks the package in dir; checked counts the statements.
func unsafeSQL(t *testing.T, dir string) (problems []sqlProblem, checked int) {
	c := loadSQLChecker(t, dir)
	for _, fd := range c.funcs {
		for _, fn := range fd {
			// The conn implementations pass their caller's query to
			// database/sql; the callers are checked instead.
			own, isSink := sqlSinks[fn.Name.Name]
			if isSink && fn.Recv != nil {
				continue
			}
			inspectOwn(fn.Body, func(n ast.Node) {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return
				}
				i, sink := sqlSinks[calleeName(call)]
				if !sink || len(call.Args) <= i {
					return
				}
				// A row helper hands its caller's statement on unchanged;
				// the callers are checked instead.
				if isSink && passesOn(fn, own, call.Args[i]) {
					return
				}
				checked++
				c.blame = ""
				if !c.safe(call.Args[i], fn) {
					problems = append(problems, sqlProblem{fn.Name.Name, fmt.Sprintf(
						"%s: in %s the SQL %s is not built from constants alone (%s is not); pass values as ? parameters",
						c.fset.Position(call.Pos()), fn.Name.Name, c.text(call.Args[i]), c.blame)})
				}
			})
		}
	}
	return problems, checked
}

// sqlSinks are the methods and functions that run SQL, the store's conn and
// row helpers and database/sql, with the position of their statement
// argument.
var sqlSinks = map[string]int{"query": 1, "queryRow": 1, "exec": 1, "execLater": 1, "batchQuery": 0, "queryAll": 3, "queryEach": 3,
	"ExecContext": 1, "QueryContext": 1, "QueryRowContext": 1, "PrepareContext": 1,
	"Exec": 0, "Query": 0, "QueryRow": 0, "Prepare": 0}

// passesOn reports whether arg is sink function fn's own statement
// parameter (at position own), never assigned in fn: fn runs what its
// caller gave it.
func passesOn(fn *ast.FuncDecl, own int, arg ast.Expr) bool {
	id, ok := arg.(*ast.Ident)
	if !ok || paramIndex(fn, id.Name) != own {
		return false
	}
	assigned := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if as, isAssign := n.(*ast.AssignStmt); isAssign {
			for _, l := range as.Lhs {
				if lid, isID := l.(*ast.Ident); isID && lid.Name == id.Name {
					assigned = true
				}
			}
		}
		return true
	})
	return !assigned
}

// trustedExprs are non-constant expressions that hold SQL from fixed data.
var trustedExprs = map[string]string{
	"m.sql":       "a migration: the text of an embedded migrations/*.sql file",
	"th.column":   "an allowance threshold's column, from the fixed thresholds table",
	"th.cond":     "an allowance threshold's condition, from the fixed thresholds table",
	"missedQuery": "a statement the store's conn ran in a write transaction (stmtCache), checked where it was built",
	"r.query":     "a batched read's statement (batchRead), checked where batchQuery built it",
	"by.column":   "a response median's grouping column, from answerMedians' fixed list (user_id, number_id)",
	"by.index":    "a response median's index, from answerMedians' fixed list",
}

// sqlChecker holds the package's declarations, by name.
type sqlChecker struct {
	fset     *token.FileSet
	consts   map[string]bool
	vars     map[string]ast.Expr // package variables' initial values
	funcs    map[string][]*ast.FuncDecl
	visiting map[string]bool // cycle guard: assumed safe while being checked
	blame    string          // the first expression found unsafe
}

func loadSQLChecker(t *testing.T, dir string) *sqlChecker {
	t.Helper()
	c := &sqlChecker{fset: token.NewFileSet(), consts: map[string]bool{}, vars: map[string]ast.Expr{},
		funcs: map[string][]*ast.FuncDecl{}, visiting: map[string]bool{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(c.fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			c.declare(d)
		}
	}
	return c
}

func (c *sqlChecker) declare(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		c.funcs[d.Name.Name] = append(c.funcs[d.Name.Name], d)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, n := range vs.Names {
				switch {
				case d.Tok == token.CONST:
					c.consts[n.Name] = true
				case len(vs.Values) == len(vs.Names):
					c.vars[n.Name] = vs.Values[i]
				}
			}
		}
	}
}

func (c *sqlChecker) text(e ast.Expr) string {
	var b strings.Builder
	_ = printer.Fprint(&b, c.fset, e)
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// safe reports whether e, inside fn, is built from constants alone.
func (c *sqlChecker) safe(e ast.Expr, fn *ast.FuncDecl) bool {
	if _, ok := trustedExprs[c.text(e)]; ok {
		return true
	}
	ok := false
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return c.safe(e.X, fn)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && c.safe(e.X, fn) && c.safe(e.Y, fn)
	case *ast.CompositeLit:
		return c.all(e.Elts, fn)
	case *ast.Ident:
		ok = c.safeIdent(e.Name, fn)
	case *ast.CallExpr:
		ok = c.safeCall(e, fn)
	case *ast.SelectorExpr:
		ok = c.safeField(e.Sel.Name)
	}
	if !ok && c.blame == "" {
		c.blame = c.text(e)
	}
	return ok
}

func (c *sqlChecker) all(es []ast.Expr, fn *ast.FuncDecl) bool {
	for _, e := range es {
		if !c.safe(e, fn) {
			return false
		}
	}
	return true
}

func (c *sqlChecker) safeIdent(name string, fn *ast.FuncDecl) bool {
	if fn != nil && declaresLocal(fn, name) {
		return c.safeLocal(name, fn)
	}
	if ok, found := c.safeClosureParam(name, fn); found {
		return ok
	}
	if c.consts[name] {
		return true
	}
	v, ok := c.vars[name]
	return ok && c.safe(v, nil)
}

// safeCall accepts the standard helpers that keep constant text constant,
// and calls of the package's own functions whose results are safe.
func (c *sqlChecker) safeCall(call *ast.CallExpr, fn *ast.FuncDecl) bool {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if f.Name == "append" {
			return c.all(call.Args, fn)
		}
		return c.safeResult(f.Name, 0)
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok && (pkg.Name == "strings" || pkg.Name == "strconv") {
			switch pkg.Name + "." + f.Sel.Name {
			case "strings.Repeat":
				return c.safe(call.Args[0], fn)
			case "strings.Join", "strings.TrimSuffix", "strings.TrimPrefix", "strings.TrimSpace":
				return c.all(call.Args, fn)
			case "strconv.Itoa", "strconv.FormatInt":
				return true
			}
			return false
		}
		if b, ok := f.X.(*ast.Ident); ok && f.Sel.Name == "String" && fn != nil && declaresLocal(fn, b.Name) {
			return c.safeBuilder(b.Name, fn)
		}
		return c.safeResult(f.Sel.Name, 0)
	}
	return false
}

// safeBuilder reports whether everything written to the strings.Builder b
// in fn, closures included, is safe.
func (c *sqlChecker) safeBuilder(b string, fn *ast.FuncDecl) bool {
	ok := true
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall {
			return true
		}
		if sel, isSel := call.Fun.(*ast.SelectorExpr); isSel && strings.HasPrefix(sel.Sel.Name, "Write") {
			if x, isID := sel.X.(*ast.Ident); isID && x.Name == b {
				ok = ok && c.all(call.Args, fn)
			}
		}
		return true
	})
	return ok
}

// safeClosureParam resolves name as a parameter of a function literal
// assigned to a local variable of fn: safe when every call of that variable
// passes a safe argument. found is false when name is no such parameter.
func (c *sqlChecker) safeClosureParam(name string, fn *ast.FuncDecl) (ok, found bool) {
	if fn == nil {
		return false, false
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, isAssign := n.(*ast.AssignStmt)
		if !isAssign || found || len(as.Lhs) != len(as.Rhs) {
			return !found
		}
		for i, r := range as.Rhs {
			lit, isLit := r.(*ast.FuncLit)
			v, isID := as.Lhs[i].(*ast.Ident)
			if !isLit || !isID {
				continue
			}
			if p := fieldIndex(lit.Type.Params, name); p >= 0 {
				found, ok = true, c.guard(fn.Name.Name+"."+v.Name+"."+name, func() bool { return c.safeCallsOf(v.Name, p, fn) })
			}
		}
		return !found
	})
	return ok, found
}

// safeCallsOf reports whether name is called within fn and every call
// passes a safe argument p.
func (c *sqlChecker) safeCallsOf(name string, p int, fn *ast.FuncDecl) bool {
	seen, ok := false, true
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if call, isCall := n.(*ast.CallExpr); isCall && calleeName(call) == name && len(call.Args) > p {
			seen, ok = true, ok && c.safe(call.Args[p], fn)
		}
		return true
	})
	return seen && ok
}

// safeField reports whether every value the package gives a struct field
// called name (x.name = v, or name: v in a literal) is safe. Fields set
// only by position in a literal are not seen, and so are not safe.
func (c *sqlChecker) safeField(name string) bool {
	return c.guard("field "+name, func() bool {
		seen, ok := false, true
		for _, fds := range c.funcs {
			for _, fd := range fds {
				inspectOwn(fd.Body, func(n ast.Node) {
					switch n := n.(type) {
					case *ast.AssignStmt:
						for i, l := range n.Lhs {
							if sel, isSel := l.(*ast.SelectorExpr); isSel && sel.Sel.Name == name {
								seen = true
								ok = ok && len(n.Rhs) == len(n.Lhs) && c.safe(n.Rhs[i], fd)
							}
						}
					case *ast.KeyValueExpr:
						if k, isID := n.Key.(*ast.Ident); isID && k.Name == name {
							seen = true
							ok = ok && c.safe(n.Value, fd)
						}
					}
				})
			}
		}
		return seen && ok
	})
}

// safeResult reports whether result i of every package function or method
// called name is safe in every return statement.
func (c *sqlChecker) safeResult(name string, i int) bool {
	fds := c.funcs[name]
	if len(fds) == 0 {
		return false
	}
	for _, fd := range fds {
		if !c.guard("result "+name, func() bool { return c.safeReturns(fd, i) }) {
			return false
		}
	}
	return true
}

func (c *sqlChecker) safeReturns(fd *ast.FuncDecl, i int) bool {
	if fd.Body == nil {
		return false
	}
	ok := true
	inspectOwn(fd.Body, func(n ast.Node) {
		r, isRet := n.(*ast.ReturnStmt)
		switch {
		case !isRet:
		case len(r.Results) > i:
			if len(r.Results) == 1 && resultCount(fd) > 1 { // return f(…) of several results
				call, isCall := r.Results[0].(*ast.CallExpr)
				ok = ok && isCall && c.safeResult(calleeName(call), i)
				return
			}
			ok = ok && c.safe(r.Results[i], fd)
		case len(r.Results) == 0: // a bare return of named results
			ok = ok && c.safeLocal(resultName(fd, i), fd)
		}
	})
	return ok
}

// safeLocal reports whether every value given to the local variable or
// parameter name in fn is safe; for a parameter, also every caller's.
func (c *sqlChecker) safeLocal(name string, fn *ast.FuncDecl) bool {
	return c.guard(fn.Name.Name+"."+name, func() bool {
		ok := true
		if p := paramIndex(fn, name); p >= 0 {
			ok = c.safeArguments(fn.Name.Name, p)
		}
		inspectOwn(fn.Body, func(n ast.Node) {
			ok = ok && c.safeAssignments(n, name, fn)
		})
		return ok
	})
}

// safeAssignments checks the values n gives name, if any.
func (c *sqlChecker) safeAssignments(n ast.Node, name string, fn *ast.FuncDecl) bool {
	switch n := n.(type) {
	case *ast.AssignStmt:
		for i, l := range n.Lhs {
			if id, ok := l.(*ast.Ident); !ok || id.Name != name {
				continue
			}
			if len(n.Rhs) == len(n.Lhs) {
				return c.safe(n.Rhs[i], fn)
			}
			call, ok := n.Rhs[0].(*ast.CallExpr) // a, b := f(…)
			return ok && c.safeResult(calleeName(call), i)
		}
	case *ast.ValueSpec:
		for i, id := range n.Names {
			if id.Name == name && len(n.Values) == len(n.Names) {
				return c.safe(n.Values[i], fn)
			}
		}
	case *ast.RangeStmt:
		if id, ok := n.Value.(*ast.Ident); ok && id.Name == name {
			return c.safe(n.X, fn)
		}
	}
	return true
}

// safeArguments reports whether a function named name is called in the
// package, never from outside (it is unexported), and every call passes a
// safe argument p.
func (c *sqlChecker) safeArguments(name string, p int) bool {
	seen, ok := false, !token.IsExported(name)
	for _, fds := range c.funcs {
		for _, caller := range fds {
			inspectOwn(caller.Body, func(n ast.Node) {
				if call, isCall := n.(*ast.CallExpr); isCall && calleeName(call) == name && len(call.Args) > p {
					seen, ok = true, ok && c.safe(call.Args[p], caller)
				}
			})
		}
	}
	return seen && ok
}

func (c *sqlChecker) guard(key string, check func() bool) bool {
	if c.visiting[key] {
		return true
	}
	c.visiting[key] = true
	defer delete(c.visiting, key)
	return check()
}

// inspectOwn visits body without descending into function literals, whose
// returns and variables are their own. A nil body visits nothing.
func inspectOwn(body *ast.BlockStmt, visit func(ast.Node)) {
	if body == nil {
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		if n != nil {
			visit(n)
		}
		return true
	})
}

func calleeName(call *ast.CallExpr) string {
	fun := call.Fun
	switch f := fun.(type) { // a generic function with explicit type arguments
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func declaresLocal(fn *ast.FuncDecl, name string) bool {
	if paramIndex(fn, name) >= 0 || resultIndex(fn, name) >= 0 {
		return true
	}
	found := false
	inspectOwn(fn.Body, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name && n.Tok == token.DEFINE {
					found = true
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				found = found || id.Name == name
			}
		case *ast.RangeStmt:
			if id, ok := n.Value.(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
	})
	return found
}

// paramIndex is the position of parameter name in fn's signature, or -1.
func paramIndex(fn *ast.FuncDecl, name string) int {
	return fieldIndex(fn.Type.Params, name)
}

func resultIndex(fn *ast.FuncDecl, name string) int {
	return fieldIndex(fn.Type.Results, name)
}

func fieldIndex(fl *ast.FieldList, name string) int {
	if fl == nil {
		return -1
	}
	i := 0
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			i++
		}
		for _, n := range f.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

func resultCount(fn *ast.FuncDecl) int {
	if fn.Type.Results == nil {
		return 0
	}
	return fn.Type.Results.NumFields()
}

func resultName(fn *ast.FuncDecl, i int) string {
	k := 0
	for _, f := range fn.Type.Results.List {
		for _, n := range f.Names {
			if k == i {
				return n.Name
			}
			k++
		}
	}
	return ""
}
