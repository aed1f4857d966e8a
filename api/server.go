// Package api is Shian's HTTP face: the Fiber app with one route table,
// handlers split per resource, middleware, and problem+json errors in the
// caller's language. It depends on the domain only; cmd/shian hands it the
// adapters.
package api

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/ratelimit"
	"shian/staff"
	"shian/views"
	"shian/web"
)

// Store is what the API needs from the system of record.
type Store interface {
	shian.ShopService
	Ping(ctx context.Context) error
}

// Check reports the state of one dependency for /readyz. Degraded parts do
// not make the service unready; Required ones do.
type Check struct {
	Name     string
	Required bool
	Probe    func(ctx context.Context) (ok bool, detail string)
}

// Config holds the API's collaborators and settings.
type Config struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time
	// Checks are extra readiness probes (search, rate limiter, outbox lag …).
	Checks []Check
	// ShopCacheTTL bounds how stale a cached shop answer may be.
	ShopCacheTTL time.Duration
	// Views caches rendered shop answers, dropped by its views.Poller when
	// a shop changes; nil gives an unpolled one (tests, one replica).
	Views *views.Cache
	// Search answers shop searches (Meilisearch with a store fallback).
	Search Searcher
	// Stickers verifies QR sticker tokens; nil treats every code as unknown.
	Stickers Stickers
	// Scans stores daily sticker scan counts (optional).
	Scans ScanRecorder
	// Complaints files, tracks and rates complaints (complaints.Service);
	// nil leaves the complaint routes unmounted.
	Complaints ComplaintService
	// Chat is the dialogue engine (bot.Engine); nil leaves /chat and
	// /api/v1/chat unmounted.
	Chat ChatBot
	// WeChat is the Official Account endpoint; nil (SHIAN_WECHAT_* unset)
	// leaves /bot/wechat unmounted.
	WeChat WeChat
	// Printer draws sticker codes and sheets for the admin API.
	Printer StickerPrinter
	// AdminToken is the bearer token of the admin API until staff accounts
	// exist; empty disables the admin API.
	AdminToken string
	// Staff is the supervision service (staff.Service): accounts, sessions,
	// the queue, case handling, audit and the dashboard. nil leaves the
	// console and the case routes unmounted (the QR admin routes remain,
	// for AdminToken).
	Staff *staff.Service
	// LoginSlowdown is the extra delay of a failed login per recent
	// failure of the account (default 250 ms, at most 3 s).
	LoginSlowdown time.Duration

	// Edge settings (middleware.go, ratelimit.go).
	// Limiter enforces the rate-limit policies; nil gives an in-process one.
	Limiter *ratelimit.Limiter
	// TrustedProxies are the peers whose X-Real-IP names the client
	// (SHIAN_TRUSTED_PROXIES); no other header is ever believed.
	TrustedProxies []*net.IPNet
	// HTTPS says the public URL is https: answers then carry HSTS.
	HTTPS bool
	// CSP replaces DefaultCSP when set.
	CSP string
	// Metrics counts requests and limiter decisions; nil counts nothing.
	Metrics *Metrics
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients; zero
	// gives 15 s, 30 s and 90 s.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Server is the HTTP application.
type Server struct {
	App    *fiber.App
	store  Store
	log    *slog.Logger
	now    func() time.Time
	checks []Check
	shops  *ttlCache
	views  *views.Cache
	search Searcher

	pages     *web.Pages
	stickers  Stickers
	verified  sync.Map // sticker token → claims
	verifiedN atomic.Int64
	scans     scanCounter
	scanStore ScanRecorder
	printer   StickerPrinter
	adminTok  string
	staff     *staff.Service
	loginSlow time.Duration

	complaints ComplaintService
	chat       ChatBot
	wechat     WeChat

	limiter    *ratelimit.Limiter
	publicRead ratelimit.Policy
	trusted    []*net.IPNet
	https      bool
	csp        string
	metrics    *Metrics
}

// New builds the app and its route table.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, log: cfg.Logger, now: cfg.Now, checks: cfg.Checks, search: cfg.Search}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	ttl := cfg.ShopCacheTTL
	if ttl == 0 {
		ttl = 5 * time.Second
	}
	s.shops = newTTLCache(ttl, 10000, s.now)
	s.views = cmp.Or(cfg.Views, views.New(views.Options{Now: s.now}))
	s.stickers, s.scanStore, s.printer, s.adminTok = cfg.Stickers, cfg.Scans, cfg.Printer, cfg.AdminToken
	s.complaints = cfg.Complaints
	s.staff, s.loginSlow = cfg.Staff, cmp.Or(cfg.LoginSlowdown, 250*time.Millisecond)
	s.chat, s.wechat = cfg.Chat, cfg.WeChat
	s.initEdge(cfg)
	s.scans.counts = map[int64]int{}
	pages, err := web.Load(nil)
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build defect
	}
	s.pages = pages
	s.App = fiber.New(fiber.Config{
		AppName:               "shian",
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           cmp.Or(cfg.ReadTimeout, 15*time.Second),
		WriteTimeout:          cmp.Or(cfg.WriteTimeout, 30*time.Second),
		IdleTimeout:           cmp.Or(cfg.IdleTimeout, 90*time.Second),
		BodyLimit:             maxRequestBody, // complaints carry up to 3 photos of 5 MB
		ReadBufferSize:        8192,
	})
	s.routes()
	return s
}

func (s *Server) routes() {
	app := s.App
	app.Use(s.requestID)
	s.useEdge(app) // access log, metrics, security headers, CORS, body and rate limits
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Use("/static", staticHandler())

	// Public pages.
	app.Get("/shops/:licence", s.shopPageHandler)
	app.Get("/s/:token", s.landing)
	app.Get("/search", s.searchPageHandler)

	v1 := app.Group("/api/v1")
	v1.Get("/districts", s.listDistricts)
	v1.Get("/categories", s.listCategories)
	v1.Get("/shops/search", s.searchShops)
	v1.Get("/shops/:licence", s.getShop)
	v1.Get("/shops/:licence/inspections", s.listInspections)
	v1.Get("/qr/:token", s.qrJSON)
	s.complaintRoutes(app, v1)
	s.chatRoutes(app, v1)

	// Staff API and console (admin.go, console.go).
	s.adminRoutes(app)
}

const requestIDHeader = "X-Request-ID"

// requestID gives every request an id, echoed in the response and the logs.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(requestIDHeader)
	if id == "" || len(id) > 64 {
		var b [10]byte
		_, _ = rand.Read(b[:])
		id = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	}
	c.Locals(requestIDHeader, id)
	c.Set(requestIDHeader, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDHeader).(string)
	return id
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

type readiness struct {
	Status   string            `json:"status"` // ready, degraded or unavailable
	Checks   map[string]string `json:"checks"`
	Degraded []string          `json:"degraded"`
}

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	r := readiness{Status: "ready", Checks: map[string]string{"store": "ok"}, Degraded: []string{}}
	if err := s.store.Ping(ctx); err != nil {
		r.Status, r.Checks["store"] = "unavailable", err.Error()
	}
	for _, ch := range s.checks {
		ok, detail := ch.Probe(ctx)
		r.Checks[ch.Name] = detail
		switch {
		case ok:
		case ch.Required:
			r.Status = "unavailable"
		default:
			r.Degraded = append(r.Degraded, ch.Name)
			if r.Status == "ready" {
				r.Status = "degraded"
			}
		}
	}
	if r.Status == "unavailable" {
		c.Status(fiber.StatusServiceUnavailable)
	}
	return c.JSON(r)
}
