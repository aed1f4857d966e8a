package resolve_test

import (
	"context"

	"shian"
)

// searchFunc adapts a function to resolve.Searcher, for tests that score
// given shops and never search.
type searchFunc func(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, bool, error)

func (f searchFunc) Search(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, bool, error) {
	return f(ctx, q)
}
