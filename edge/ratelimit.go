package edge

// Rate limits at the HTTP edge. The policies themselves live in one table in
// package ratelimit; here they meet requests:
//
//   - A route charged per client IP (/64 for IPv6) states it where it is
//     declared, and Handle charges it before the handler runs:
//         e.Handle(app, "GET", "/api/v1/shops/:licence", edge.Policy{Limit: ratelimit.PublicRead}, s.getShop)
//   - A route with one policy keyed otherwise:
//         e.Handle(app, "POST", "/x", edge.Policy{Limit: edge.HandlerLimits}, e.Limit(ratelimit.LoginIP, key), s.handler)
//   - A handler that learns the key only after reading the body (complaints:
//     per IP and per phone hash, per hour and per day) charges all hits at
//     once, all or nothing, in one Redis round trip:
//         if err := e.Charge(c, e.IPHit(c, ratelimit.ComplaintIPHour), e.IPHit(c, ratelimit.ComplaintIPDay),
//             e.Hit(ratelimit.ComplaintPhoneHour, phoneHash), e.Hit(ratelimit.ComplaintPhoneDay, phoneHash)); err != nil {
//             return err
//         }
//   - Guessing guards (tracking proofs, logins) count failures only: peek
//     first, charge when the attempt was wrong (TrackGuard does this for
//     every proof of contact):
//         hits := []ratelimit.Hit{e.Hit(ratelimit.LoginName, name), e.IPHit(c, ratelimit.LoginIP)}
//         if err := e.Peek(c, hits...); err != nil { return err }
//         … verify …; if wrong { _ = e.Charge(c, hits...) }
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
func (e *Edge) ClientIP(c *fiber.Ctx) net.IP {
	if ip, ok := c.Locals(clientIPLocal).(net.IP); ok {
		return ip
	}
	var real string
	if len(e.trusted) > 0 {
		real = c.Get("X-Real-IP")
	}
	ip := ratelimit.ClientIP(c.Context().RemoteIP(), real, e.trusted)
	c.Locals(clientIPLocal, ip)
	return ip
}

// IPKey is the KeyFunc of per-client-IP policies: the IPv4 address or the
// IPv6 /64.
func (e *Edge) IPKey(c *fiber.Ctx) string { return ratelimit.IPKey(e.ClientIP(c)) }

// Limit is middleware charging one event per request to the named policy,
// keyed by key. It panics at route set-up on an unknown policy name.
func (e *Edge) Limit(policy string, key KeyFunc) fiber.Handler {
	p := e.limiter.Policy(policy)
	return func(c *fiber.Ctx) error {
		if err := e.Charge(c, ratelimit.Hit{Policy: p, Key: key(c)}); err != nil {
			return err
		}
		return c.Next()
	}
}

// Hit is the named policy applied to key. An unknown name gives a Hit that
// Charge refuses with a 500, so a typo shows in the first test.
func (e *Edge) Hit(policy, key string) ratelimit.Hit {
	p, _ := e.limiter.Lookup(policy)
	if p.Name == "" {
		p.Name = policy // Rate 0 marks it unknown
	}
	return ratelimit.Hit{Policy: p, Key: key}
}

// IPHit is the named policy applied to the client's IP (/64).
func (e *Edge) IPHit(c *fiber.Ctx, policy string) ratelimit.Hit {
	return e.Hit(policy, e.IPKey(c))
}

// Charge charges one event to every hit, all or nothing, in one Redis
// round trip; it sets the RateLimit headers and, when refused, Retry-After
// and returns the 429 error to return from the handler.
func (e *Edge) Charge(c *fiber.Ctx, hits ...ratelimit.Hit) error {
	if err := checkHits(hits); err != nil {
		return err
	}
	return e.Answer(c, e.limiter.AllowAll(c.UserContext(), hits...))
}

func (e *Edge) limit(c *fiber.Ctx, hits ...ratelimit.Hit) error { return e.Charge(c, hits...) }

// Peek refuses, like Charge, when one more event would be refused, but
// charges nothing.
func (e *Edge) Peek(c *fiber.Ctx, hits ...ratelimit.Hit) error {
	if err := checkHits(hits); err != nil {
		return err
	}
	return e.Answer(c, e.limiter.Peek(c.UserContext(), hits...))
}

// TrackGuard runs a proof-of-contact lookup (tracking, rating, the form's
// track page) under the wrong-proof policies: only a failed proof is
// charged, per ticket and per client IP. The ticket key is the parsed,
// normalised ticket (ratelimit.TicketKey), so that qhd-ab12-cd34 and
// QHDAB12CD34 share one budget.
//
// The per-ticket budget is kept apart for each kind of proof: the four
// phone digits can be guessed, the receipt code cannot, so wrong digits
// typed by anyone never lock the complainant out of the receipt path
// (issue 19). The per-IP budget counts both.
func (e *Edge) TrackGuard(c *fiber.Ctx, ticket string, proof shian.TrackingProof, lookup func() error) error {
	kind := "phone"
	if proof.Receipt != "" && proof.PhoneLast4 == "" {
		kind = "receipt"
	}
	hits := []ratelimit.Hit{e.Hit(ratelimit.TrackTicket, ratelimit.TicketKey(ticket)+"|"+kind), e.IPHit(c, ratelimit.TrackIP)}
	if err := e.Peek(c, hits...); err != nil {
		return err
	}
	err := lookup()
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		_ = e.Charge(c, hits...)
	}
	return err
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
func (e *Edge) Answer(c *fiber.Ctx, d ratelimit.Decision) error {
	policy, state := rateLimitFields(d)
	c.Set("RateLimit-Policy", policy)
	c.Set("RateLimit", state)
	for _, r := range d.Results {
		e.metrics.limitDecision(r.Policy.Name, r.Allowed, d.Backend)
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

// LimiterCheck is the readiness probe of the limiter: degraded, not
// unready, while Redis fails (limits then hold per replica). Its detail is
// for operators: the public /readyz shows only the state.
func (e *Edge) LimiterCheck() Check {
	l := e.limiter
	return Check{Name: "ratelimit", Probe: func(ctx context.Context) (bool, string) {
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
	}}
}
