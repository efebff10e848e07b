package server

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hiretext/hiretext"
)

// Every request's text is checked with hiretext.CheckText at the edge,
// before a handler sees it, so no field a handler forgets can carry a NUL
// or bytes that are not UTF-8 to the database (PostgreSQL refuses them with
// an error, SQLite would keep them for every export): the path, the query
// (single lines: a search, a report filter, a return address), a form's
// fields (which may be text areas) and every string of a JSON body (see
// decodeJSON). The domain's own validation then applies each field's rule,
// such as a name being one line. Provider webhooks are exempt: what a
// candidate sends is never refused, it is stored with the bad bytes
// replaced (see webhook.go).

// webhookPrefix starts the patterns of provider webhooks, which read their
// raw body and are checked by signature.
const webhookPrefix = "POST /webhooks/"

// checkInput refuses a request whose path, query or form holds what no text
// may: a path is then not found, a field a 422 naming it.
func checkInput(r *http.Request, rt route) error {
	if strings.HasPrefix(rt.pattern, webhookPrefix) {
		return nil
	}
	if hiretext.CheckText(r.URL.Path, hiretext.SingleLine) != nil {
		return hiretext.Errorf(hiretext.ENotFound, "There is no page at that address.")
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	v := hiretext.Validation{}
	for name, values := range r.URL.Query() {
		checkValues(v, name, values, hiretext.SingleLine)
	}
	for name, values := range r.PostForm {
		checkValues(v, name, values, hiretext.MultiLine)
	}
	return textError(v)
}

// checkValues records under name the first problem of any of values.
func checkValues(v hiretext.Validation, name string, values []string, lines hiretext.TextLines) {
	for _, s := range values {
		v.Text(name, s, lines)
	}
}

// checkJSONText checks every string of a decoded JSON document (keys too,
// which name fields). encoding/json turns bytes that are not UTF-8 into
// U+FFFD without a word, so when the body was not UTF-8 (valid is false) a
// string holding U+FFFD is where they were.
func checkJSONText(doc any, valid bool) error {
	v := hiretext.Validation{}
	walkJSONText(v, doc, "", valid)
	return textError(v)
}

func walkJSONText(v hiretext.Validation, doc any, path string, valid bool) {
	switch d := doc.(type) {
	case string:
		if !valid && strings.ContainsRune(d, utf8.RuneError) {
			v.Add(path, hiretext.ErrNotUTF8.Message)
		}
		v.Text(path, d, hiretext.MultiLine)
	case []any:
		for _, e := range d {
			walkJSONText(v, e, path, valid)
		}
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(d)) {
			name := strings.TrimPrefix(path+"."+key, ".")
			v.Text(name, key, hiretext.SingleLine)
			walkJSONText(v, d[key], name, valid)
		}
	}
}

// textError is v's field error, its message naming the fields, for a page
// that cannot show them beside a form.
func textError(v hiretext.Validation) error {
	if len(v) == 0 {
		return nil
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, fmt.Sprintf("In %q: %s", name, v[name]))
	}
	return hiretext.FieldError(strings.Join(parts, " "), v)
}
