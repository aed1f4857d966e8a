package shian

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// DecodeStrict decodes one JSON value, rejecting unknown fields and
// trailing data: a typo in an operator's data file must not be dropped
// silently. Errors: EINVALID.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return Errorf(EINVALID, "empty file")
		}
		return Errorf(EINVALID, "not valid JSON of the expected shape: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Errorf(EINVALID, "unexpected data after the JSON value")
	}
	return nil
}
