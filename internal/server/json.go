package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decodeJSON reads exactly one JSON object into v, refusing unknown fields,
// trailing data and oversized bodies with errors that say what is wrong.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return hiretext.Errorf(hiretext.EBadRequest, "Send the body as application/json.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badForm(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return hiretext.Errorf(hiretext.EBadRequest, "The body must hold a single JSON object.")
	}
	return nil
}

// jsonError explains a decoding failure in terms of the request.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return hiretext.Errorf(hiretext.EBadRequest, "The body is empty; send a JSON object.")
	case errors.As(err, &syntax):
		return hiretext.Errorf(hiretext.EBadRequest, "The body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		return &hiretext.Error{Code: hiretext.EBadRequest, Message: fmt.Sprintf("Field %q must be %s.", typ.Field, jsonKind(typ.Type.Kind().String())),
			Fields: map[string]string{typ.Field: "must be " + jsonKind(typ.Type.Kind().String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return hiretext.Errorf(hiretext.EBadRequest, "Unknown field %s.", name)
	}
	return hiretext.Errorf(hiretext.EBadRequest, "The body could not be read as JSON.")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a number"
}

// idString formats an id as the JSON API shows it: a string.
func idString[T ~int64](id T) string { return strconv.FormatInt(int64(id), 10) }
