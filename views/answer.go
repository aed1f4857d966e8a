package views

import (
	"context"

	"shian"
)

// Answer returns a group's cached variant, or renders it, keeps it and
// returns it. A render failing with shian.ENOTFOUND is remembered briefly
// (bounded apart from the answers) and its error returned to the next
// askers; other errors are not kept. Callers validate the group first: a
// malformed licence must never reach Answer, so that it costs no memory.
func (c *Cache) Answer(ctx context.Context, group, variant string, render func(context.Context) ([]byte, error)) ([]byte, error) {
	if body, ok := c.Get(group, variant); ok {
		return body, nil
	}
	if err, ok := c.missing(group); ok {
		return nil, err
	}
	gen := c.Gen()
	body, err := render(ctx)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		c.putMissing(group, err, gen)
		return nil, err
	} else if err != nil {
		return nil, err
	}
	c.Put(group, variant, body, gen)
	return body, nil
}
