package edge

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"shian/ratelimit"
)

// Metrics are the Prometheus metrics of the service, served on the admin
// listener (SHIAN_ADMIN_ADDR), never on the public one. The API counts
// requests and limiter decisions itself; cmd sets the gauges of the parts
// the API does not see (search, outbox). A nil *Metrics ignores
// everything, so tests and tools need none.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	decisions *prometheus.CounterVec
	limiter   atomic.Pointer[ratelimit.Limiter]

	searchDegraded prometheus.Gauge
	outboxLag      prometheus.Gauge
	outboxPending  prometheus.Gauge
}

// NewMetrics registers Shian's metrics on reg. Add the Go and process
// collectors to reg in cmd if wanted (collectors.NewGoCollector …).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shian_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shian_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shian_ratelimit_decisions_total", Help: "Rate-limit decisions by policy, decision (allowed, denied) and backend (redis, local).",
		}, []string{"policy", "decision", "backend"}),
		searchDegraded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "shian_search_degraded", Help: "1 while search answers from the store fallback instead of Meilisearch.",
		}),
		outboxLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "shian_outbox_lag_seconds", Help: "Age of the oldest outbox entry not yet applied to search.",
		}),
		outboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "shian_outbox_pending", Help: "Outbox entries not yet applied to search.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.decisions, m.searchDegraded, m.outboxLag, m.outboxPending,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "shian_ratelimit_fallbacks_total", Help: "Decisions made by the in-process limiter because Redis failed.",
		}, func() float64 {
			if l := m.limiter.Load(); l != nil {
				return float64(l.Fallbacks())
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "shian_ratelimit_degraded", Help: "1 while Redis is configured but failing and limits are per replica.",
		}, func() float64 {
			if l := m.limiter.Load(); l != nil && l.Degraded() {
				return 1
			}
			return 0
		}),
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// AdminApp is the admin listener's app: GET /metrics and GET /healthz.
// cmd serves it on SHIAN_ADMIN_ADDR, which must not be reachable from the
// internet.
func (m *Metrics) AdminApp() *fiber.App {
	app := fiber.New(fiber.Config{AppName: "shian-admin", DisableStartupMessage: true,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second})
	app.Get("/metrics", adaptor.HTTPHandler(m.Handler()))
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	return app
}

// SetSearchDegraded records whether search runs on its store fallback.
func (m *Metrics) SetSearchDegraded(degraded bool) {
	if m == nil {
		return
	}
	v := 0.0
	if degraded {
		v = 1
	}
	m.searchDegraded.Set(v)
}

// SetOutbox records the outbox's backlog and the age of its oldest entry.
func (m *Metrics) SetOutbox(pending int, lag time.Duration) {
	if m == nil {
		return
	}
	m.outboxPending.Set(float64(pending))
	m.outboxLag.Set(lag.Seconds())
}

func (m *Metrics) watchLimiter(l *ratelimit.Limiter) {
	if m != nil {
		m.limiter.Store(l)
	}
}

func (m *Metrics) limitDecision(policy string, allowed bool, backend string) {
	if m == nil {
		return
	}
	d := "denied"
	if allowed {
		d = "allowed"
	}
	m.decisions.WithLabelValues(policy, d, backend).Inc()
}

func (m *Metrics) observe(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(took.Seconds())
}
