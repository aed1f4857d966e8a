package shian

import (
	"errors"
	"io"

	"shian/internal/strictjson"
)

// DecodeStrict decodes one JSON value of an operator's data file (calendar,
// grade rules, plan weights, decisions), rejecting unknown fields and
// trailing data: a typo must not be dropped silently. It is strictjson with
// the errors an operator reads. Errors: EINVALID.
func DecodeStrict(b []byte, v any) error {
	err := strictjson.Decode(b, v)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF):
		return Errorf(EINVALID, "empty file")
	case errors.Is(err, strictjson.ErrTrailing):
		return Errorf(EINVALID, "unexpected data after the JSON value")
	}
	return Errorf(EINVALID, "not valid JSON of the expected shape: %v", err)
}
