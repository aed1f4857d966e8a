package api

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// requireAdmin guards the staff API with a bearer token.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	tok, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if s.adminTok == "" || !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.adminTok)) != 1 {
		return &shian.Error{Code: shian.EUNAUTHORIZED, Message: "a valid bearer token is required", Key: "unauthorized"}
	}
	return c.Next()
}
