package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// Searcher answers shop searches; degraded reports that the answer came
// from the store because Meilisearch could not.
type Searcher interface {
	Search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error)
}

func (s *Server) searchShops(c *fiber.Ctx) error {
	return fiber.ErrNotImplemented
}
