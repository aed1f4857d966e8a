package api

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// statuses maps error codes to HTTP statuses: the one table of STYLE.md.
var statuses = map[string]int{
	shian.ENOTFOUND:     fiber.StatusNotFound,
	shian.EINVALID:      fiber.StatusBadRequest,
	shian.ECONFLICT:     fiber.StatusConflict,
	shian.EUNAUTHORIZED: fiber.StatusUnauthorized,
	shian.EFORBIDDEN:    fiber.StatusForbidden,
	shian.ERATELIMITED:  fiber.StatusTooManyRequests,
	shian.EUNAVAILABLE:  fiber.StatusServiceUnavailable,
	shian.EINTERNAL:     fiber.StatusInternalServerError,
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	// Allowed lists valid values or next states where that helps the client.
	Allowed   []string `json:"allowed,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
}

// errorHandler is Fiber's one error path: every error a handler returns
// becomes a problem+json answer in the request's language. Only 5xx are
// logged as errors, with the detail operators need.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	lang := Lang(c)
	p := Problem{Type: "about:blank", Instance: c.Path(), RequestID: requestID(c)}
	var fe *fiber.Error
	var se *shian.Error
	switch {
	case errors.As(err, &se):
		p.Code, p.Field = se.Code, se.Field
		switch {
		case se.Key != "":
			p.Detail = T(lang, se.Key, se.Args...)
		default:
			p.Detail = se.Error()
		}
	case errors.As(err, &fe):
		p.Code, p.Detail = fiberCode(fe.Code), fe.Message
		switch fe.Code {
		case fiber.StatusNotFound:
			p.Detail = T(lang, "not_found")
		case fiber.StatusRequestEntityTooLarge:
			p.Detail = T(lang, "body_too_large")
		case fiber.StatusMethodNotAllowed:
			p.Detail = T(lang, "method_not_allowed")
		}
		p.Status = fe.Code
	default:
		p.Code, p.Detail = shian.EINTERNAL, T(lang, "internal")
	}
	var al interface{ AllowedValues() []string }
	if errors.As(err, &al) { // an illegal transition lists the legal next states
		p.Allowed = al.AllowedValues()
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) { // a handler that needs a status the code table lacks (422)
		p.Status = hs.HTTPStatus()
	}
	if p.Status == 0 {
		p.Status = statuses[p.Code]
		if p.Status == 0 {
			p.Status = fiber.StatusInternalServerError
		}
	}
	setRetryAfter(c, err)
	if p.Status == fiber.StatusInternalServerError {
		p.Detail = T(lang, "internal")
	}
	if t, ok := titles[p.Code]; ok {
		p.Title = t.In(lang)
	}
	if p.Status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Route().Path, "status", p.Status, "request_id", p.RequestID, "err", err)
	}
	return problem(c, p)
}

// setRetryAfter gives a refusal by a limit of the domain (the complaint
// guard, wrong tracking proofs: ERATELIMITED; photo decoding busy:
// EUNAVAILABLE; with the seconds to wait as Args[0]) its Retry-After,
// unless the edge limiter set one already.
func setRetryAfter(c *fiber.Ctx, err error) {
	var se *shian.Error
	if !errors.As(err, &se) || (se.Code != shian.ERATELIMITED && se.Code != shian.EUNAVAILABLE) || len(se.Args) == 0 ||
		c.GetRespHeader(fiber.HeaderRetryAfter) != "" {
		return
	}
	if secs, ok := se.Args[0].(int); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	}
}

func problem(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	c.Set(fiber.HeaderContentLanguage, Lang(c))
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}

func fiberCode(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return shian.ENOTFOUND
	case fiber.StatusTooManyRequests:
		return shian.ERATELIMITED
	case fiber.StatusUnauthorized:
		return shian.EUNAUTHORIZED
	case fiber.StatusForbidden:
		return shian.EFORBIDDEN
	case fiber.StatusServiceUnavailable:
		return shian.EUNAVAILABLE
	}
	if status >= 500 {
		return shian.EINTERNAL
	}
	return shian.EINVALID
}
