// Package edge is what every HTTP audience of Shian shares: the one error
// path (problem+json, or the same problem as a page), the request id, the
// client IP, the rate limits, the security headers, CORS, body limits,
// metrics and the access log. The audiences (api for machines, web for
// people, console for staff) declare each route with its Policy through
// Handle; cmd/shian mounts them on the app NewApp builds.
package edge

import (
	"cmp"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian/ratelimit"
)

// Config holds the edge settings.
type Config struct {
	Logger *slog.Logger
	// Limiter enforces the rate-limit policies; nil gives an in-process one.
	Limiter *ratelimit.Limiter
	// TrustedProxies are the peers whose X-Real-IP names the client
	// (SHIAN_TRUSTED_PROXIES); no other header is ever believed.
	TrustedProxies []*net.IPNet
	// HTTPS says the public URL is https: answers then carry HSTS, and
	// cookies are Secure.
	HTTPS bool
	// CSP replaces DefaultCSP when set.
	CSP string
	// Metrics counts requests and limiter decisions; nil counts nothing.
	Metrics *Metrics
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients; zero
	// gives 15 s, 30 s and 90 s.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Edge is the shared HTTP machinery of one app.
type Edge struct {
	log     *slog.Logger
	limiter *ratelimit.Limiter
	trusted []*net.IPNet
	https   bool
	csp     string
	metrics *Metrics
	cfg     Config

	mu       sync.Mutex
	policies map[string]Policy // "GET /api/v1/shops/:licence" → its policy
}

// New takes the edge settings from cfg: the limiter (an in-process one
// when cfg has none), trusted proxies, headers and metrics.
func New(cfg Config) *Edge {
	e := &Edge{log: cfg.Logger, limiter: cfg.Limiter, trusted: cfg.TrustedProxies, https: cfg.HTTPS,
		csp: cmp.Or(cfg.CSP, DefaultCSP), metrics: cfg.Metrics, cfg: cfg, policies: map[string]Policy{}}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.limiter == nil {
		l, err := ratelimit.New(ratelimit.Options{Logger: e.log})
		if err != nil {
			panic(err) // the default policies are a constant table
		}
		e.limiter = l
	}
	e.metrics.watchLimiter(e.limiter)
	return e
}

// Logger is the edge's logger.
func (e *Edge) Logger() *slog.Logger { return e.log }

// Limiter is the rate limiter the edge charges.
func (e *Edge) Limiter() *ratelimit.Limiter { return e.limiter }

// HTTPS says the public URL is https.
func (e *Edge) HTTPS() bool { return e.https }

// MaxRequestBody is the most any route may read: complaints carry up to
// three photos of 5 MB. The server refuses more by Content-Length before
// reading; each route's Policy.Body is the real limit.
const MaxRequestBody = 16 << 20

// NewApp builds the Fiber app with the one error handler and the edge
// middleware every request passes, in order: request id, then access log
// and metrics (outermost, so they see the final status, 413 and 429
// included), then the security headers. Limits, body caps and CORS are the
// routes' own (Handle).
func (e *Edge) NewApp() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "shian",
		ErrorHandler:          e.ErrorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           cmp.Or(e.cfg.ReadTimeout, 15*time.Second),
		WriteTimeout:          cmp.Or(e.cfg.WriteTimeout, 30*time.Second),
		IdleTimeout:           cmp.Or(e.cfg.IdleTimeout, 90*time.Second),
		BodyLimit:             MaxRequestBody,
		ReadBufferSize:        8192,
	})
	app.Use(requestIDMiddleware, e.accessLog, e.securityHeaders)
	return app
}

const requestIDHeader = "X-Request-ID"

// requestIDMiddleware gives every request an id, echoed in the response
// and the logs.
func requestIDMiddleware(c *fiber.Ctx) error {
	id := strings.Clone(c.Get(requestIDHeader)) // kept in Locals and log lines
	if id == "" || len(id) > 64 {
		var b [10]byte
		_, _ = rand.Read(b[:])
		id = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	}
	c.Locals(requestIDHeader, id)
	c.Set(requestIDHeader, id)
	return c.Next()
}

// RequestID is the request's id (X-Request-ID).
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDHeader).(string)
	return id
}

// Policy is what a route states where it is declared: how it is rate
// limited, how large a body it takes, and whether other sites' pages may
// read it. Handle applies it; CheckRoutes proves every route has one.
type Policy struct {
	// Limit is the rate-limit policy (ratelimit.PublicRead …) charged to
	// the client's IP on every request, or HandlerLimits (the handler
	// charges its own keys once it has read them: complaints per phone,
	// tracking proofs, logins) or Unlimited (probes, authenticated staff
	// routes). It must be set: an empty Limit panics at set-up.
	Limit string
	// Body is the largest request body in bytes; 0 means DefaultBodyLimit.
	Body int
	// CORS lets any web page read the route (GET and HEAD, no
	// credentials); Handle adds its preflight.
	CORS bool
}

const (
	// HandlerLimits marks a route whose handler charges its own limits.
	HandlerLimits = "handler"
	// Unlimited marks a route with no rate limit of its own.
	Unlimited = "none"
)

// DefaultBodyLimit is the body limit of a route that states none.
const DefaultBodyLimit = 1 << 20

// Handle declares a route with its policy: path is the full path (no
// group prefix), so the route table reads as the URLs it serves.
func (e *Edge) Handle(app fiber.Router, method, path string, p Policy, handlers ...fiber.Handler) {
	if p.Limit == "" {
		panic("edge: route " + method + " " + path + " states no rate-limit policy")
	}
	if p.Body > MaxRequestBody {
		panic(fmt.Sprintf("edge: route %s %s: body limit %d over the server's %d", method, path, p.Body, MaxRequestBody))
	}
	chain := append([]fiber.Handler{e.policyHandler(p)}, handlers...)
	app.Add(method, path, chain...)
	if method == fiber.MethodGet {
		app.Add(fiber.MethodHead, path, chain...) // as app.Get does
	}
	e.mu.Lock()
	e.policies[method+" "+path] = p
	if method == fiber.MethodGet {
		e.policies[fiber.MethodHead+" "+path] = p // Fiber serves HEAD with the GET route
	}
	e.mu.Unlock()
	if p.CORS {
		app.Add(fiber.MethodOptions, path, corsPreflight)
		e.mu.Lock()
		e.policies[fiber.MethodOptions+" "+path] = Policy{Limit: Unlimited}
		e.mu.Unlock()
	}
}

// policyHandler enforces a route's policy: CORS headers, the body limit,
// then the per-IP rate limit.
func (e *Edge) policyHandler(p Policy) fiber.Handler {
	body := cmp.Or(p.Body, DefaultBodyLimit)
	var limit ratelimit.Policy
	perIP := p.Limit != HandlerLimits && p.Limit != Unlimited
	if perIP {
		limit = e.limiter.Policy(p.Limit) // panics on an unknown name, at set-up
	}
	return func(c *fiber.Ctx) error {
		if p.CORS {
			corsRead(c)
		}
		if bodyOver(c, body) {
			return fiber.ErrRequestEntityTooLarge
		}
		if perIP {
			if err := e.limit(c, ratelimit.Hit{Policy: limit, Key: e.IPKey(c)}); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// PolicyOf is the policy a route was declared with.
func (e *Edge) PolicyOf(method, path string) (Policy, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.policies[method+" "+path]
	return p, ok
}

// CheckRoutes returns the routes of app (middleware aside) that were not
// declared through Handle, so state no policy.
func (e *Edge) CheckRoutes(app *fiber.App) []string {
	var missing []string
	for _, r := range app.GetRoutes(true) {
		if _, ok := e.PolicyOf(r.Method, r.Path); !ok {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	return missing
}
