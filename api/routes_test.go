package api_test

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"shian/api"
	"shian/edge"
	"shian/ratelimit"
)

// TestEveryRouteStatesItsPolicy walks every route the app registered (with
// complaints, staff, the chat and WeChat all mounted) and fails on one
// declared without a policy: a route added with app.Get instead of
// edge.Handle would silently get no rate limit and no body limit.
func TestEveryRouteStatesItsPolicy(t *testing.T) {
	f := newAdminFixture(t)
	chat, _ := chatServer(t, false, nil)
	for name, srv := range map[string]*api.Server{"complaints and staff": f.srv, "chat": chat} {
		t.Run(name, func(t *testing.T) {
			routes := srv.App.GetRoutes(true)
			if len(routes) < 20 {
				t.Fatalf("only %d routes", len(routes))
			}
			if missing := srv.Edge().CheckRoutes(srv.App); len(missing) > 0 {
				t.Fatalf("routes without a policy:\n%s", strings.Join(missing, "\n"))
			}
			for _, r := range routes {
				p, _ := srv.Edge().PolicyOf(r.Method, r.Path)
				if p.Limit == "" {
					t.Errorf("%s %s: empty limit policy", r.Method, r.Path)
				}
			}
		})
	}
	// The public reads are charged per IP and readable cross-site; the
	// filings take photos; nothing else does.
	for _, tc := range []struct {
		method, path string
		limit        string
		cors         bool
		body         int
	}{
		{"GET", "/api/v1/shops/:licence", ratelimit.PublicRead, true, 0},
		{"GET", "/api/v1/shops/search", ratelimit.PublicRead, true, 0},
		{"GET", "/s/:token", ratelimit.PublicRead, false, 0},
		{"GET", "/search", ratelimit.PublicRead, false, 0},
		{"POST", "/api/v1/complaints", edge.HandlerLimits, false, edge.MaxRequestBody},
		{"POST", "/complaints", edge.HandlerLimits, false, edge.MaxRequestBody},
		{"GET", "/api/v1/complaints/:ticket", edge.HandlerLimits, true, 0},
		{"POST", "/admin/login", edge.HandlerLimits, false, 0},
	} {
		p, ok := f.srv.Edge().PolicyOf(tc.method, tc.path)
		if !ok || p.Limit != tc.limit || p.CORS != tc.cors || p.Body != tc.body {
			t.Errorf("%s %s: policy %+v", tc.method, tc.path, p)
		}
	}
	// A route declared behind edge's back is found.
	f.srv.App.Get("/sneaky", func(c *fiber.Ctx) error { return nil })
	if missing := f.srv.Edge().CheckRoutes(f.srv.App); len(missing) != 2 || missing[0] != "GET /sneaky" {
		t.Fatalf("a route without a policy went unnoticed: %v", missing)
	}
}
