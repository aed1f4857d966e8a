package edge

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// TestMessagesHaveEveryLanguage: every error message and title reads in
// zh, en and ru; a key added in one language only fails here.
func TestMessagesHaveEveryLanguage(t *testing.T) {
	if len(messages) < 40 {
		t.Fatalf("only %d messages", len(messages))
	}
	for key, m := range messages {
		for i, lang := range Langs {
			if m[i] == "" {
				t.Errorf("message %s has no %s", key, lang)
			}
		}
	}
	for code, m := range titles {
		for i, lang := range Langs {
			if m[i] == "" {
				t.Errorf("title %s has no %s", code, lang)
			}
		}
	}
	for code := range statuses {
		if _, ok := titles[code]; !ok {
			t.Errorf("code %s has a status but no title", code)
		}
	}
	for _, fe := range fiberErrors {
		if _, ok := messages[fe.key]; fe.key != "" && !ok {
			t.Errorf("fiber error key %s has no message", fe.key)
		}
	}
}

// TestProblemOf is the one error path: status from the table (or a
// sentinel, or WithStatus), detail translated, internals hidden.
func TestProblemOf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		lang   string
		status int
		code   string
		detail string
	}{
		{"keyed not found", &shian.Error{Code: shian.ENOTFOUND, Key: "shop_not_found", Args: []any{"JY1"}}, "en", 404, shian.ENOTFOUND, "No shop has licence number JY1. Please check the number."},
		{"keyed in Russian", &shian.Error{Code: shian.ERATELIMITED, Key: "rate_limited", Args: []any{3}}, "ru", 429, shian.ERATELIMITED, "Слишком много запросов. Повторите через 3 с."},
		{"wrapped, unkeyed", fmt.Errorf("x: %w", shian.FieldError("name", "too long")), "en", 400, shian.EINVALID, "name: too long"},
		{"sentinel 422", fmt.Errorf("file: %w", shian.ErrIdempotencyMismatch), "en", 422, shian.EINVALID, "This Idempotency-Key was already used for a different submission."},
		{"with status", WithStatus(&shian.Error{Code: shian.EINVALID, Message: "json"}, 415), "en", 415, shian.EINVALID, "json"},
		{"fiber 404", fiber.ErrNotFound, "zh", 404, shian.ENOTFOUND, "未找到您请求的内容。"},
		{"fiber 413", fiber.ErrRequestEntityTooLarge, "en", 413, shian.EINVALID, "The request body is too large."},
		{"plain error is internal", errors.New("pq: password authentication failed"), "en", 500, shian.EINTERNAL, "Something went wrong on our side; it has been logged. Please try again."},
		{"internal code hides its message", shian.Errorf(shian.EINTERNAL, "disk full at /var/x"), "en", 500, shian.EINTERNAL, "Something went wrong on our side; it has been logged. Please try again."},
		{"unavailable keeps its message", &shian.Error{Code: shian.EUNAVAILABLE, Key: "db_unavailable"}, "en", 503, shian.EUNAVAILABLE, "The service is briefly unavailable (its database cannot be reached). Please try again shortly."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ProblemOf(tc.lang, tc.err)
			if p.Status != tc.status || p.Code != tc.code || p.Detail != tc.detail || p.Title == "" {
				t.Fatalf("%+v", p)
			}
		})
	}
}
