package hiretext

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error codes shared by every layer. The server maps each to one HTTP status in
// one place; users see the code and the message, never internal error text.
const (
	EInvalid             = "invalid"              // input that breaks a rule; Fields names the culprits
	EBadRequest          = "bad_request"          // input that cannot be read at all (malformed JSON, unknown fields)
	ENotFound            = "not_found"            // no such object, or not this principal's to see
	EConflict            = "conflict"             // the object exists or changed under us
	EForbidden           = "forbidden"            // authenticated but not permitted
	EUnauthorized        = "unauthorized"         // not authenticated
	ERateLimited         = "rate_limited"         // too many attempts; retry later
	EInternal            = "internal"             // a bug; details only in logs
	EUnavailable         = "unavailable"          // the database cannot serve now (down, restarting, locked); retry soon
	EAllowanceExceeded   = "allowance_exceeded"   // the number's monthly allowance cannot cover the send
	EEntitlementExceeded = "entitlement_exceeded" // the company has all the numbers it may have
	ENotAssigned         = "not_assigned"         // the user has no texting number
	ETooManyUsers        = "too_many_users"       // a number already has its maximum of users
	EUserOnOtherNumber   = "user_on_other_number" // a user already belongs to another number
	EPayloadTooLarge     = "payload_too_large"    // the request body exceeds the cap
)

// Error is a coded, user-presentable error. Message is safe to show to the
// person who caused it; Fields holds per-field messages for forms and APIs.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("hiretext error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EInvalid error naming the fields at fault.
func FieldError(message string, fields map[string]string) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, "" for
// nil and EInternal for anything else.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-presentable message of err. Internal errors
// get a generic message so no implementation detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "An internal error occurred."
}

// ErrorFields returns the per-field messages of err, or nil.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Validation collects field errors so a form can report all of them at once.
type Validation map[string]string

// Add records message for field unless the field already has one.
func (v Validation) Add(field, message string) {
	if _, ok := v[field]; !ok {
		v[field] = message
	}
}

// Err returns nil when nothing was added, otherwise an EInvalid *Error.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return FieldError("Please correct the highlighted fields.", map[string]string(v))
}

// Combined is Err, except that with a single field at fault the error's
// message is that field's own: a request with one mistake says what it is.
func (v Validation) Combined() error {
	if len(v) != 1 {
		return v.Err()
	}
	for field, message := range v {
		return FieldError(message, map[string]string{field: message})
	}
	return nil
}

// requiredText trims a required text and records under field what is wrong
// with it: "Enter a job title." when it is blank, "Use at most 200
// characters for the job title." when it is longer than limit characters,
// or what CheckText finds (a single line of text). label must read well
// after "a".
func requiredText(v Validation, field, label string, limit int, text string) string {
	text = strings.TrimSpace(text)
	switch {
	case CheckText(text, SingleLine) != nil:
		v.Text(field, text, SingleLine)
	case text == "":
		v.Add(field, "Enter a "+label+".")
	case utf8.RuneCountInString(text) > limit:
		v.Add(field, "Use at most "+strconv.Itoa(limit)+" characters for the "+label+".")
	}
	return text
}

// optionalText trims an optional text and records under field what is
// wrong with it: CheckText's finding for its kind of lines, or more than
// limit characters, said with message.
func optionalText(v Validation, field string, lines TextLines, limit int, message, text string) string {
	text = strings.TrimSpace(text)
	if err := CheckText(text, lines); err != nil {
		v.Add(field, ErrorMessage(err))
	} else if utf8.RuneCountInString(text) > limit {
		v.Add(field, message)
	}
	return text
}

// lowerFirst lower-cases the first letter of a sentence, to go after a colon.
func lowerFirst(s string) string {
	return strings.ToLower(s[:1]) + s[1:]
}
