// Package shian holds the domain of the Qinhuangdao food-safety service:
// shops, inspections, grades, complaints, their validation rules and the
// error codes every adapter speaks. It imports no adapter; cmd/shian wires
// the adapters (store, search, api, …) around it.
package shian

import (
	"errors"
	"fmt"
)

// Error codes. Every service method documents which of these it returns;
// the api package maps each to one HTTP status.
const (
	ENOTFOUND     = "not_found"
	EINVALID      = "invalid"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ERATELIMITED  = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is the one error type that carries a code and a message a person
// can act on. Field names the offending input field when there is one, so
// that importers and forms can point at it.
type Error struct {
	Code    string
	Message string
	Field   string
	// Key, when set, is a message key the api package translates; Args fill it.
	Key  string
	Args []any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic message for internal errors, whose details are for operators.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
