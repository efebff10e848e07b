package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

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
// Field names match exactly: encoding/json alone would take "TITLE" for
// "title", which a client reading its own request back would not expect.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return hiretext.Errorf(hiretext.EBadRequest, "Send the body as application/json.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badForm(err)
	}
	obj, err := decodeObject(body)
	if err != nil {
		return err
	}
	if err := checkJSONText(obj, utf8.Valid(body)); err != nil {
		return err
	}
	if err := checkFieldNames(reflect.TypeOf(v), obj, ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

// decodeObject parses body as a single JSON object, without a target type.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, hiretext.Errorf(hiretext.EBadRequest, "The body must hold a single JSON object.")
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, hiretext.Errorf(hiretext.EBadRequest, "The body must be a JSON object.")
	}
	return obj, nil
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// checkFieldNames refuses a key of doc that names no field of t exactly
// (case included), in nested objects too; path locates doc in the body.
func checkFieldNames(t reflect.Type, doc any, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, _ := doc.(map[string]any)
		fields := jsonFields(t)
		for _, key := range slices.Sorted(maps.Keys(obj)) { // sorted: the same body, the same error
			f, ok := fields[key]
			if !ok {
				return hiretext.Errorf(hiretext.EBadRequest, "Unknown field %q.", path+key)
			}
			if err := checkFieldNames(f.Type, obj[key], path+key+"."); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		list, _ := doc.([]any)
		for _, val := range list {
			if err := checkFieldNames(t.Elem(), val, path); err != nil {
				return err
			}
		}
	case reflect.Map:
		obj, _ := doc.(map[string]any)
		for key, val := range obj {
			if err := checkFieldNames(t.Elem(), val, path+key+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's fields, as encoding/json spells
// them, to the fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
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
