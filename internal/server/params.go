package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// Ids are read one way wherever a request carries them, in its path, its
// query, a form or a JSON body: as idString writes them.

// pathID reads the {name} path value as an id; anything else is not found.
func pathID[T ~int64](r *http.Request, name, kind string) (T, error) {
	id, ok := parseID[T](r.PathValue(name))
	if !ok {
		return 0, hiretext.Errorf(hiretext.ENotFound, "%s not found.", kind)
	}
	return id, nil
}

// idString formats an id as the JSON API shows it: a string.
func idString[T ~int64](id T) string { return strconv.FormatInt(int64(id), 10) }

// parseID reads an id from a path, a query, a form or a JSON body. Only
// what idString writes is an id: a positive decimal without sign or
// leading zeros ("+44", "044" and "0" are not), so the id a response
// repeats is always the string the client sent.
func parseID[T ~int64](s string) (T, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64) // fails only past the int64 range
	return T(id), err == nil
}

// queryLimit reads a page size from the query's "limit": def when absent,
// else a number from 1 to max, or a field error added to v.
func queryLimit(q url.Values, v hiretext.Validation, def, max int) int {
	raw := q.Get("limit")
	if raw == "" {
		return def
	}
	limit, err := strconv.Atoi(raw)
	if err != nil || limit < 1 || limit > max {
		v.Add("limit", fmt.Sprintf("Use a limit from 1 to %d.", max))
	}
	return limit
}
