package edge

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Check reports the state of one dependency for /readyz. Degraded parts do
// not make the service unready; Required ones do.
type Check struct {
	Name     string
	Required bool
	Probe    func(ctx context.Context) (ok bool, detail string)
}

// Readiness is the state of the service and its dependencies.
type Readiness struct {
	Status   string            `json:"status"` // ready, degraded or unavailable
	Checks   map[string]string `json:"checks"`
	Degraded []string          `json:"degraded"`
}

// Ready runs the checks. With detail the checks' own words are kept (for
// the admin listener); without, each check reads ok, degraded or
// unavailable and the detail goes to the log: an error from Meilisearch or
// Redis names hosts and versions the public has no business seeing.
func (e *Edge) Ready(ctx context.Context, checks []Check, detail bool) Readiness {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	r := Readiness{Status: "ready", Checks: map[string]string{}, Degraded: []string{}}
	for _, ch := range checks {
		ok, d := ch.Probe(ctx)
		shown := d
		switch {
		case ok:
			if !detail {
				shown = "ok"
			}
		case ch.Required:
			r.Status = "unavailable"
			if !detail {
				shown = "unavailable"
			}
		default:
			r.Degraded = append(r.Degraded, ch.Name)
			if r.Status == "ready" {
				r.Status = "degraded"
			}
			if !detail {
				shown = "degraded"
			}
		}
		if !ok && !detail {
			e.log.Warn("readiness check failed", "check", ch.Name, "required", ch.Required, "detail", d)
		}
		r.Checks[ch.Name] = shown
	}
	return r
}

// ReadyHandler serves /readyz from checks: 503 when a required one fails.
func (e *Edge) ReadyHandler(checks func() []Check, detail bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r := e.Ready(c.UserContext(), checks(), detail)
		if r.Status == "unavailable" {
			c.Status(fiber.StatusServiceUnavailable)
		}
		return c.JSON(r)
	}
}

// Healthz answers that the process runs.
func Healthz(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) }
