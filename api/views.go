package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"shian/views"
)

// stickerPage is the cached landing page of a sticker token, found without
// reading the store: by the shop id and version the token carries (the
// page differs by the version only through "outdated", and a new sticker
// is a change that drops the shop's answers). A hit counts the scan.
func (s *Server) stickerPage(c *fiber.Ctx, lang string) ([]byte, bool) {
	token := c.Params("token")
	if s.stickers == nil || len(token) > 64 {
		return nil, false
	}
	id, version, ok := s.verifySticker(strings.ToUpper(strings.Clone(token)))
	if !ok {
		return nil, false
	}
	body, ok := s.views.Get(views.IDGroup(id), stickerVariant(lang, version))
	if ok {
		s.scans.add(id)
	}
	return body, ok
}

// stickerVariant names a landing page in the view cache: its language and
// the sticker version of its token.
func stickerVariant(lang string, version int) string {
	return "s:" + lang + ":" + strconv.Itoa(version)
}
