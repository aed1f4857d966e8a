package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/internal/strictjson"
)

// DecodeJSON decodes a request body strictly into v: one JSON object,
// known fields only, right types. Errors name the field at fault.
func DecodeJSON(c *fiber.Ctx, v any) error {
	return DecodeStrict(c.Body(), v)
}

// DecodeStrict is DecodeJSON over bytes, for fuzzing and non-HTTP callers.
func DecodeStrict(body []byte, v any) error {
	err := strictjson.Decode(body, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, strictjson.ErrTrailing):
		return &shian.Error{Code: shian.EINVALID, Message: "the body must be one JSON object"}
	case errors.As(err, &typeErr):
		return &shian.Error{Code: shian.EINVALID, Field: typeErr.Field, Message: fmt.Sprintf("must be a JSON %s", typeErr.Type)}
	case errors.As(err, &syntaxErr):
		return &shian.Error{Code: shian.EINVALID, Message: fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset)}
	case errors.Is(err, io.EOF):
		return &shian.Error{Code: shian.EINVALID, Message: "the body is empty; send a JSON object"}
	}
	return &shian.Error{Code: shian.EINVALID, Message: err.Error()}
}
