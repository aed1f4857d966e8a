package edge

import (
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// DefaultCSP is the Content-Security-Policy of every answer: scripts and
// styles only from our own static files (no inline code), images also as
// data: URLs (QR codes), never framed.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// accessLog logs one line per request and feeds the request metrics. It
// holds no personal data: the route pattern instead of the URL (a query
// string may carry a phone number or a tracking proof), no bodies, and the
// client's network (/24, /48) instead of its address.
func (e *Edge) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		// Render the error here so the status logged is the status sent.
		if herr := e.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	route := routePattern(c)
	status := c.Response().StatusCode()
	method := methodLabel(c.Method())
	e.metrics.observe(method, route, status, took)
	if (route == "/healthz" || route == "/readyz") && status < 400 {
		return nil // probes every few seconds would drown the log
	}
	e.log.Info("request", "method", method, "route", route, "status", status,
		"duration_ms", float64(took.Microseconds())/1000, "request_id", RequestID(c),
		"client_net", ClientNet(e.ClientIP(c)))
	return nil
}

// methodLabel returns the method as a string of its own. c.Method() points
// into the request buffer Fiber reuses for the connection's next request:
// kept as a Prometheus label it would later read "GETT" where "POST" was
// written, and give two series one label set (a 500 on /metrics). The
// standard methods map to constants; anything else is one label.
func methodLabel(m string) string {
	for _, known := range knownMethods {
		if m == known {
			return known
		}
	}
	return "OTHER"
}

var knownMethods = []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
	fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace}

// routePattern is the matched route's pattern ("/api/v1/shops/:licence"),
// a group middleware's prefix ("/static") when no endpoint took the request,
// or "unmatched": metric labels must not grow with what clients send. (A
// request no route matched is left with the last middleware route, "/".)
func routePattern(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil || r.Path == "" || r.Path == "/" && c.Path() != "/" {
		return "unmatched"
	}
	return r.Path
}

// ClientNet truncates an address to its /24 (IPv4) or /48 (IPv6): enough to
// see a flood's origin, not enough to name a person.
func ClientNet(ip net.IP) string {
	switch {
	case ip == nil:
		return ""
	case ip.To4() != nil:
		return ip.Mask(net.CIDRMask(24, 32)).String() + "/24"
	}
	return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
}

// securityHeaders sets the hardening headers on every answer.
func (e *Edge) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", e.csp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	if e.https {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}

// corsRead lets any web page read a route declared with Policy.CORS: no
// credentials (Allow-Origin * forbids them), no Authorization header, no
// other method than GET and HEAD.
func corsRead(c *fiber.Ctx) {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		c.Set(fiber.HeaderAccessControlExposeHeaders, "RateLimit, RateLimit-Policy, Retry-After, X-Request-ID, Content-Language")
	}
}

// corsPreflight answers the preflight of a CORS route: GET and HEAD only,
// so a browser refuses any other method.
func corsPreflight(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderOrigin) == "" || c.Get(fiber.HeaderAccessControlRequestMethod) == "" {
		return c.SendStatus(fiber.StatusNoContent) // not a preflight
	}
	c.Set(fiber.HeaderVary, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	switch c.Get(fiber.HeaderAccessControlRequestMethod) {
	case fiber.MethodGet, fiber.MethodHead:
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Accept, Accept-Language, X-Request-ID")
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// bodyOver says a request's body is over n bytes, by its Content-Length
// before any handler parses it (and by the body read when there is no
// Content-Length, as with chunked uploads).
func bodyOver(c *fiber.Ctx, n int) bool {
	if cl := c.Request().Header.ContentLength(); cl > n {
		return true
	} else if cl >= 0 {
		return false
	}
	return len(c.Request().Body()) > n
}
