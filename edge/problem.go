package edge

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// statuses maps error codes to HTTP statuses: the one table. Fiber's own
// errors (404 no route, 405, 413) carry their status; an error that needs
// one this table lacks (415, 422) says so with WithStatus.
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

// sentinels are the errors whose status is not their code's: checked with
// errors.Is before the code table.
var sentinels = []struct {
	err    error
	status int
}{
	{shian.ErrIdempotencyMismatch, fiber.StatusUnprocessableEntity},
}

// fiberErrors are the message keys and codes of Fiber's own errors.
var fiberErrors = map[int]struct{ code, key string }{
	fiber.StatusNotFound:              {shian.ENOTFOUND, "not_found"},
	fiber.StatusMethodNotAllowed:      {shian.EINVALID, "method_not_allowed"},
	fiber.StatusRequestEntityTooLarge: {shian.EINVALID, "body_too_large"},
	fiber.StatusTooManyRequests:       {shian.ERATELIMITED, ""},
	fiber.StatusUnauthorized:          {shian.EUNAUTHORIZED, "unauthorized"},
	fiber.StatusForbidden:             {shian.EFORBIDDEN, "forbidden"},
	fiber.StatusServiceUnavailable:    {shian.EUNAVAILABLE, ""},
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

// ProblemOf is the one error path from an error to what a person or a
// client is told: the status from the one table, the code, and the title
// and detail in lang. Internal errors say only that something went wrong;
// the detail operators need is in the error, which Fail logs.
func ProblemOf(lang string, err error) Problem {
	p := Problem{Type: "about:blank"}
	var fe *fiber.Error
	var se *shian.Error
	switch {
	case errors.As(err, &se):
		p.Code, p.Field = se.Code, se.Field
		p.Detail = se.Error()
		if se.Key != "" {
			p.Detail = T(lang, se.Key, se.Args...)
		}
	case errors.As(err, &fe):
		p.Status, p.Code, p.Detail = fe.Code, shian.EINVALID, fe.Message
		if fe.Code >= 500 {
			p.Code = shian.EINTERNAL
		}
		if m, ok := fiberErrors[fe.Code]; ok {
			p.Code = m.code
			if m.key != "" {
				p.Detail = T(lang, m.key)
			}
		}
	default:
		p.Code = shian.EINTERNAL
	}
	var al interface{ AllowedValues() []string }
	if errors.As(err, &al) { // an illegal transition lists the legal next states
		p.Allowed = al.AllowedValues()
	}
	for _, st := range sentinels {
		if errors.Is(err, st.err) {
			p.Status = st.status
		}
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		p.Status = hs.HTTPStatus()
	}
	if p.Status == 0 {
		p.Status = statuses[p.Code]
	}
	if p.Status == 0 {
		p.Status = fiber.StatusInternalServerError
	}
	if p.Status >= 500 && p.Code != shian.EUNAVAILABLE || p.Code == shian.EINTERNAL {
		p.Detail = T(lang, "internal")
	}
	if t, ok := titles[p.Code]; ok {
		p.Title = t.In(lang)
	}
	return p
}

// Fail is ProblemOf for a request, in its language, with the path and the
// request id; a 5xx is logged with the error, where operators see it. The
// JSON error handler, the pages and Open311 render what it returns.
func (e *Edge) Fail(c *fiber.Ctx, err error) Problem {
	p := ProblemOf(Lang(c), err)
	p.Instance, p.RequestID = c.Path(), RequestID(c)
	if errors.Is(err, shian.ErrIdempotencyBusy) {
		c.Set(fiber.HeaderRetryAfter, "1")
	}
	setRetryAfter(c, err)
	if p.Status >= 500 {
		path := ""
		if r := c.Route(); r != nil {
			path = r.Path
		}
		e.log.Error("request failed", "method", methodLabel(c.Method()), "route", path, "status", p.Status,
			"request_id", p.RequestID, "err", err)
	}
	return p
}

// ErrorHandler is Fiber's error handler: every error a handler returns
// becomes a problem+json answer in the request's language.
func (e *Edge) ErrorHandler(c *fiber.Ctx, err error) error {
	return SendProblem(c, e.Fail(c, err))
}

// SendProblem writes p as application/problem+json.
func SendProblem(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	c.Set(fiber.HeaderContentLanguage, Lang(c))
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}

// Status is the HTTP status of err (the one table).
func Status(err error) int { return ProblemOf("en", err).Status }

// statusError gives an error an HTTP status the code table lacks (415,
// 422); the problem is still that of the wrapped error.
type statusError struct {
	err    error
	status int
}

func (e *statusError) Error() string   { return e.err.Error() }
func (e *statusError) Unwrap() error   { return e.err }
func (e *statusError) HTTPStatus() int { return e.status }

// WithStatus gives err the HTTP status status.
func WithStatus(err error, status int) error { return &statusError{err, status} }

// setRetryAfter gives a refusal by a limit of the domain (the complaint
// guard: ERATELIMITED; photo decoding busy: EUNAVAILABLE; with the seconds
// to wait as Args[0]) its Retry-After, unless the edge limiter set one.
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
