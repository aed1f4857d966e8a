// Package strictjson decodes JSON the way every outside input of Shian is
// read: exactly one value, no unknown fields, nothing after it. A typo in a
// partner's request or an operator's file must be refused, not dropped.
// The API, the importer and triage's data files map its errors to their
// own messages; UnknownField names the field at fault.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ErrTrailing is returned when data follows the one JSON value.
var ErrTrailing = errors.New("strictjson: data after the JSON value")

// Decode decodes exactly one JSON value from data into v, rejecting
// unknown object fields and trailing data. The errors are encoding/json's
// (io.EOF for empty data, *json.SyntaxError, *json.UnmarshalTypeError, the
// unknown-field error) or ErrTrailing.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ErrTrailing
	}
	return nil
}

// UnknownField returns the name of the field that Decode refused as
// unknown. encoding/json has no error type for it, only this message, so
// the one place that reads the message is here.
func UnknownField(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	name, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	if n, uerr := strconv.Unquote(name); uerr == nil {
		name = n
	}
	return name, true
}
