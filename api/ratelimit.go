package api

// Rate limits at the HTTP edge. The policies themselves live in one table in
// package ratelimit; here they meet requests:
//
//   - Every GET/HEAD of the public read paths (publicReadPath) is charged to
//     the public_read policy of the client's IP (/64 for IPv6) by the edge
//     middleware; nothing to do in those handlers.
//   - A route with one policy keyed from the request alone:
//         app.Post("/x", s.Limit(ratelimit.LoginIP, s.IPKey), s.handler)
//   - A handler that learns the key only after reading the body (complaints:
//     per IP and per phone hash, per hour and per day) charges all hits at
//     once, all or nothing, in one Redis round trip:
//         if err := s.limit(c, s.ipHit(c, ratelimit.ComplaintIPHour), s.ipHit(c, ratelimit.ComplaintIPDay),
//             s.hit(ratelimit.ComplaintPhoneHour, phoneHash), s.hit(ratelimit.ComplaintPhoneDay, phoneHash)); err != nil {
//             return err
//         }
//   - Guessing guards (tracking proofs, logins) count failures only: peek
//     first, charge when the attempt was wrong:
//         hits := []ratelimit.Hit{s.hit(ratelimit.TrackTicket, ticket), s.ipHit(c, ratelimit.TrackIP)}
//         if err := s.peekLimit(c, hits...); err != nil { return err }
//         … verify …; if wrong { _ = s.limit(c, hits...) }
//   - Outside HTTP (the bot's dialogue engine) use the limiter itself:
//     cfg.Limiter.Allow(ctx, l.Policy(ratelimit.BotUser), openID).
//
// Every limited answer carries RateLimit-Policy and RateLimit
// (draft-ietf-httpapi-ratelimit-headers-09: q=rate per w=period seconds,
// r=remaining, t=seconds until the key is back to a full burst); a refusal is
// 429 with Retry-After and a problem+json body in the client's language.

import (
	"context"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/ratelimit"
)

// KeyFunc derives a rate-limit key from a request. The string must not
// alias Fiber's buffers (the limiter may keep it).
type KeyFunc func(c *fiber.Ctx) string

const clientIPLocal = "shian.clientIP"

// ClientIP is the request's client: the TCP peer, or X-Real-IP when the
// peer is a trusted proxy (ratelimit.ClientIP). Fiber's own c.IP() and its
// ProxyHeader setting are not used: they would trust any client's header.
func (s *Server) ClientIP(c *fiber.Ctx) net.IP {
	if ip, ok := c.Locals(clientIPLocal).(net.IP); ok {
		return ip
	}
	var real string
	if len(s.trusted) > 0 {
		real = c.Get("X-Real-IP")
	}
	ip := ratelimit.ClientIP(c.Context().RemoteIP(), real, s.trusted)
	c.Locals(clientIPLocal, ip)
	return ip
}

// IPKey is the KeyFunc of per-client-IP policies: the IPv4 address or the
// IPv6 /64.
func (s *Server) IPKey(c *fiber.Ctx) string { return ratelimit.IPKey(s.ClientIP(c)) }

// Limit is middleware charging one event per request to the named policy,
// keyed by key. It panics at route set-up on an unknown policy name.
func (s *Server) Limit(policy string, key KeyFunc) fiber.Handler {
	p := s.limiter.Policy(policy)
	return func(c *fiber.Ctx) error {
		if err := s.limit(c, ratelimit.Hit{Policy: p, Key: key(c)}); err != nil {
			return err
		}
		return c.Next()
	}
}

// hit is the named policy applied to key. An unknown name gives a Hit that
// limit refuses with a 500, so a typo shows in the first test.
func (s *Server) hit(policy, key string) ratelimit.Hit {
	p, _ := s.limiter.Lookup(policy)
	if p.Name == "" {
		p.Name = policy // Rate 0 marks it unknown
	}
	return ratelimit.Hit{Policy: p, Key: key}
}

// ipHit is the named policy applied to the client's IP (/64).
func (s *Server) ipHit(c *fiber.Ctx, policy string) ratelimit.Hit {
	return s.hit(policy, s.IPKey(c))
}

// limit charges one event to every hit, all or nothing, in one Redis round
// trip; it sets the RateLimit headers and, when refused, Retry-After and
// returns the 429 error to return from the handler.
func (s *Server) limit(c *fiber.Ctx, hits ...ratelimit.Hit) error {
	if err := checkHits(hits); err != nil {
		return err
	}
	return s.answer(c, s.limiter.AllowAll(c.UserContext(), hits...))
}

// peekLimit refuses, like limit, when one more event would be refused, but
// charges nothing.
func (s *Server) peekLimit(c *fiber.Ctx, hits ...ratelimit.Hit) error {
	if err := checkHits(hits); err != nil {
		return err
	}
	return s.answer(c, s.limiter.Peek(c.UserContext(), hits...))
}

func checkHits(hits []ratelimit.Hit) error {
	for _, h := range hits {
		if h.Policy.Rate == 0 {
			return &shian.Error{Code: shian.EINTERNAL, Message: "api: no rate-limit policy " + strconv.Quote(h.Policy.Name)}
		}
	}
	return nil
}

// answer writes a decision's headers and turns a refusal into an error.
func (s *Server) answer(c *fiber.Ctx, d ratelimit.Decision) error {
	policy, state := rateLimitFields(d)
	c.Set("RateLimit-Policy", policy)
	c.Set("RateLimit", state)
	for _, r := range d.Results {
		s.metrics.limitDecision(r.Policy.Name, r.Allowed, d.Backend)
	}
	if d.Allowed {
		return nil
	}
	secs := ceilSeconds(d.RetryAfter())
	if secs < 1 {
		secs = 1
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return &shian.Error{Code: shian.ERATELIMITED, Key: "rate_limited", Args: []any{secs},
		Message: "rate limited by " + d.Denied()}
}

// rateLimitFields renders a decision as the RateLimit-Policy and RateLimit
// structured-field lists.
func rateLimitFields(d ratelimit.Decision) (policy, state string) {
	var p, r strings.Builder
	for i, res := range d.Results {
		if i > 0 {
			p.WriteString(", ")
			r.WriteString(", ")
		}
		name := strconv.Quote(res.Policy.Name) // names are [a-z_]: a valid sf-string
		p.WriteString(name + ";q=" + strconv.Itoa(res.Policy.Rate) + ";w=" + strconv.Itoa(ceilSeconds(res.Policy.Period)))
		r.WriteString(name + ";r=" + strconv.Itoa(max(res.Remaining, 0)) + ";t=" + strconv.Itoa(ceilSeconds(res.ResetAfter)))
	}
	return p.String(), r.String()
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// publicReadPath reports whether a path is one of the public read paths
// charged to public_read: shop search and pages, the shop API and the QR
// landing. Fiber routes case-insensitively and ignores a trailing slash, so
// the check does too; anything it misses cannot reach those routes.
func publicReadPath(path string) bool {
	p := strings.ToLower(strings.TrimRight(path, "/"))
	switch {
	case p == "/search", p == "/api/v1/shops", p == "/shops":
		return true
	}
	for _, prefix := range []string{"/api/v1/shops/", "/api/v1/qr/", "/shops/", "/s/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// publicReadLimit charges public reads to the client's IP.
func (s *Server) publicReadLimit(c *fiber.Ctx) error {
	if (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) && publicReadPath(c.Path()) {
		if err := s.limit(c, ratelimit.Hit{Policy: s.publicRead, Key: s.IPKey(c)}); err != nil {
			return err
		}
	}
	return c.Next()
}

// initEdge takes the edge settings from cfg: the limiter (an in-process one
// when cfg has none), trusted proxies, headers and metrics, and a readiness
// check that shows a degraded limiter.
func (s *Server) initEdge(cfg Config) {
	s.limiter = cfg.Limiter
	if s.limiter == nil {
		l, err := ratelimit.New(ratelimit.Options{Logger: s.log})
		if err != nil {
			panic(err) // the default policies are a constant table
		}
		s.limiter = l
	}
	s.publicRead = s.limiter.Policy(ratelimit.PublicRead)
	s.trusted, s.https, s.csp, s.metrics = cfg.TrustedProxies, cfg.HTTPS, cfg.CSP, cfg.Metrics
	if s.csp == "" {
		s.csp = DefaultCSP
	}
	s.metrics.watchLimiter(s.limiter)
	l := s.limiter
	s.checks = append(slices.Clip(s.checks), Check{Name: "ratelimit", Probe: func(ctx context.Context) (bool, string) {
		switch {
		case !l.Shared():
			return true, "in-process (no Redis configured)"
		case l.Degraded():
			return false, "degraded: Redis failing, limits are per replica until it answers"
		}
		if err := l.Ping(ctx); err != nil {
			return false, "degraded: " + err.Error()
		}
		return true, "ok"
	}})
}
