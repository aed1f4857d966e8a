// Package api is Shian's HTTP face: the Fiber app with one route table,
// handlers split per resource, middleware, and problem+json errors in the
// caller's language. It depends on the domain only; cmd/shian hands it the
// adapters.
package api

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/api/openapi"
	"shian/edge"
	"shian/qrcodes"
	"shian/ratelimit"
	"shian/staff"
	"shian/triage"
	"shian/views"
	"shian/web"
)

// Accounts is what the staff side needs of accounts and sessions
// (staff.Service): signing in and out, and who a session or token is.
type Accounts interface {
	Login(ctx context.Context, name, password, client string) (session string, p *staff.Principal, err error)
	Authenticate(ctx context.Context, sessionID string) (*staff.Principal, error)
	AuthenticateToken(ctx context.Context, token string) (*staff.Principal, error)
	Logout(ctx context.Context, p *staff.Principal) error
}

// Cases is what the staff side needs of the case workflow, its audit and
// the dashboard (staff.Service). Every method checks the principal's role
// and scope itself.
type Cases interface {
	Queue(ctx context.Context, p *staff.Principal, f staff.Filter) (*staff.Page, error)
	Case(ctx context.Context, p *staff.Principal, ticket string) (*staff.CaseView, error)
	Claim(ctx context.Context, p *staff.Principal, ticket string) (*staff.Case, error)
	Release(ctx context.Context, p *staff.Principal, ticket string) (*staff.Case, error)
	Transition(ctx context.Context, p *staff.Principal, ticket string, in staff.TransitionInput) (*staff.Case, error)
	AddNote(ctx context.Context, p *staff.Principal, ticket, note string, public bool) (*staff.Case, error)
	Reassign(ctx context.Context, p *staff.Principal, ticket string, in staff.ReassignInput) (*staff.Case, error)
	Merge(ctx context.Context, p *staff.Principal, ticket, into, reason string) (*staff.Case, error)
	Bulk(ctx context.Context, p *staff.Principal, in staff.BulkInput) ([]staff.BulkResult, error)
	RevealContact(ctx context.Context, p *staff.Principal, ticket string) (staff.Contact, error)
	Dashboard(ctx context.Context, p *staff.Principal, from, to time.Time) (*staff.Dashboard, error)
	// Triager gives the calendar (days left) and the offices (reassign form).
	Triager() *triage.Triager
	Now() time.Time
}

// Store is what the API needs from the system of record.
type Store interface {
	shian.ShopService
	Ping(ctx context.Context) error
}

// Check reports the state of one dependency for /readyz (edge.Check).
type Check = edge.Check

// Config holds the API's collaborators and settings.
type Config struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time
	// Checks are extra readiness probes (search, rate limiter, outbox lag …).
	Checks []Check
	// ShopCacheTTL bounds how stale a cached shop answer may be.
	ShopCacheTTL time.Duration
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
	// Views caches rendered shop answers, bounded in bytes and dropped on
	// every replica when a shop changes (views.Poller); nil caches nothing
	// (a cache nobody invalidates would serve a changed shop for ever).
	Views *views.Cache
	// Catalog renders inspection findings in the visitor's language (the
	// checklist catalog of package names); nil shows them as recorded.
	Catalog ItemCatalog
	// AdminToken is the bearer token of the admin API until staff accounts
	// exist; empty disables the admin API.
	AdminToken string
	// Accounts signs staff in (staff.Service); Cases is the case workflow
	// and the dashboard (staff.Service). Both nil leave the console and the
	// case routes unmounted (the QR admin routes remain, for AdminToken).
	Accounts Accounts
	Cases    Cases
	// LoginSlowdown is the extra delay of a failed login per recent
	// failure of the account (default 250 ms, at most 3 s).
	LoginSlowdown time.Duration

	// Edge is the shared HTTP machinery (package edge); nil builds one
	// from the settings below.
	Edge *edge.Edge
	// Edge settings, used when Edge is nil.
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
	Metrics *edge.Metrics
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients; zero
	// gives 15 s, 30 s and 90 s.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Server is the HTTP application.
type Server struct {
	App    *fiber.App
	edge   *edge.Edge
	store  Store
	log    *slog.Logger
	now    func() time.Time
	checks []Check
	// rendered keeps encoded answers (shop JSON, shop pages, sticker
	// landings) for a few seconds.
	rendered *ttlCache
	search   Searcher

	pages      *web.Pages
	catalog    ItemCatalog
	views      *views.Cache
	landingSvc *qrcodes.Landing
	scanStore  ScanRecorder
	printer    StickerPrinter
	adminTok   string
	accounts   Accounts
	cases      Cases
	loginSlow  time.Duration

	complaints ComplaintService
	chat       ChatBot
	wechat     WeChat
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
	s.rendered = newTTLCache(ttl, 10000, s.now)
	s.scanStore, s.printer, s.adminTok = cfg.Scans, cfg.Printer, cfg.AdminToken
	lc := qrcodes.LandingConfig{Shops: cfg.Store, Now: s.now, ShopTTL: ttl}
	if cfg.Stickers != nil { // a nil interface, not a typed nil
		lc.Verifier = cfg.Stickers
	}
	if cfg.Scans != nil {
		lc.Scans = cfg.Scans
	}
	s.landingSvc = qrcodes.NewLanding(lc)
	s.complaints = cfg.Complaints
	s.accounts, s.cases, s.loginSlow = cfg.Accounts, cfg.Cases, cmp.Or(cfg.LoginSlowdown, 250*time.Millisecond)
	s.chat, s.wechat = cfg.Chat, cfg.WeChat
	s.edge = cfg.Edge
	if s.edge == nil {
		s.edge = edge.New(edge.Config{Logger: s.log, Limiter: cfg.Limiter, TrustedProxies: cfg.TrustedProxies, HTTPS: cfg.HTTPS,
			CSP: cfg.CSP, Metrics: cfg.Metrics, ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout})
	}
	s.checks = append(slices.Clip(s.checks), s.edge.LimiterCheck())
	pages, err := web.Load(nil)
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build defect
	}
	s.pages = pages
	s.catalog = cfg.Catalog
	s.views = cfg.Views
	s.App = s.edge.NewApp()
	s.routes()
	return s
}

// Edge is the shared HTTP machinery the server's routes are declared with.
func (s *Server) Edge() *edge.Edge { return s.edge }

// routes is the route table: every route with its policy (rate limit,
// body limit, CORS; edge.Policy), stated here and nowhere else.
func (s *Server) routes() {
	app, e := s.App, s.edge
	var (
		probe    = edge.Policy{Limit: edge.Unlimited}
		read     = edge.Policy{Limit: ratelimit.PublicRead, CORS: true}              // shop data anyone may read, also from other sites
		catalog  = edge.Policy{Limit: edge.Unlimited, CORS: true}                    // constant lists
		page     = edge.Policy{Limit: edge.Unlimited}                                // pages without data of their own
		shopPage = edge.Policy{Limit: ratelimit.PublicRead}                          // pages of shop data
		guarded  = edge.Policy{Limit: edge.HandlerLimits}                            // the handler charges its own keys
		filing   = edge.Policy{Limit: edge.HandlerLimits, Body: edge.MaxRequestBody} // complaints with up to 3 photos
		tracking = edge.Policy{Limit: edge.HandlerLimits, CORS: true}                // proofs of contact (edge.TrackGuard)
		staffAPI = edge.Policy{Limit: edge.Unlimited}                                // authenticated, authorised per route
	)
	e.Handle(app, "GET", "/healthz", probe, edge.Healthz)
	e.Handle(app, "GET", "/readyz", probe, s.readyz)
	app.Use("/static", staticHandler())

	// Public pages.
	e.Handle(app, "GET", "/shops/:licence", shopPage, s.shopPageHandler)
	e.Handle(app, "GET", "/s/:token", shopPage, s.landing)
	e.Handle(app, "GET", "/search", shopPage, s.searchPageHandler)

	// JSON API v1.
	e.Handle(app, "GET", "/api/v1/districts", catalog, s.listDistricts)
	e.Handle(app, "GET", "/api/v1/categories", catalog, s.listCategories)
	e.Handle(app, "GET", "/api/v1/shops/search", read, s.searchShops)
	e.Handle(app, "GET", "/api/v1/shops/suggest", read, s.suggestShops)
	e.Handle(app, "GET", "/api/v1/shops/:licence", read, s.getShop)
	e.Handle(app, "GET", "/api/v1/shops/:licence/inspections", read, s.listInspections)
	e.Handle(app, "GET", "/api/v1/qr/:token", read, s.qrJSON)
	e.Handle(app, "GET", "/api/v1/openapi.json", catalog, openAPIDocument)
	e.Handle(app, "GET", "/api/v1/reference", page, openAPIReference)

	if s.complaints != nil {
		e.Handle(app, "POST", "/api/v1/complaints", filing, s.postComplaint)
		e.Handle(app, "GET", "/api/v1/complaints/:ticket", tracking, s.getComplaint)
		e.Handle(app, "POST", "/api/v1/complaints/:ticket/rating", guarded, s.rateComplaint)
		e.Handle(app, "GET", "/complaints/new", page, s.complaintFormPage)
		e.Handle(app, "POST", "/complaints", filing, s.complaintFormSubmit)
		e.Handle(app, "GET", "/complaints/track", guarded, s.complaintTrackPage)
		e.Handle(app, "POST", "/complaints/track", guarded, s.complaintTrackPage)

		// Open311 GeoReport v2 (open311.go).
		e.Handle(app, "GET", "/open311/v2/services.:format", page, s.open311Services)
		e.Handle(app, "GET", "/open311/v2/services/:code.:format", page, s.open311Service)
		e.Handle(app, "POST", "/open311/v2/requests.:format", guarded, s.open311Create)
		e.Handle(app, "GET", "/open311/v2/requests.:format", staffAPI, s.open311Requests)
		e.Handle(app, "GET", "/open311/v2/requests/:id.:format", staffAPI, s.open311Request)
		e.Handle(app, "GET", "/open311/v2/tokens/:token.:format", staffAPI, s.open311Token)
	}
	if s.chat != nil { // the bot charges each session and sender itself
		e.Handle(app, "POST", "/api/v1/chat", guarded, s.postChat)
		e.Handle(app, "GET", "/chat", page, s.chatPage)
	}
	if s.wechat != nil {
		e.Handle(app, "GET", "/bot/wechat", guarded, s.wechatVerify)
		e.Handle(app, "POST", "/bot/wechat", guarded, s.wechatPush)
	}

	// Staff: console pages and the admin JSON API (admin.go, console.go).
	app.Use("/admin", s.authenticate)
	if s.accounts != nil {
		e.Handle(app, "GET", "/admin/login", page, s.consoleLoginPage)
		e.Handle(app, "POST", "/admin/login", guarded, s.consoleLogin) // per account and IP, failures only
	}
	for _, r := range s.adminRouteTable() {
		e.Handle(app, r.Method, r.Path, staffAPI, s.authorize(r.Action), r.handler)
	}
}

func (s *Server) readyz(c *fiber.Ctx) error {
	return s.edge.ReadyHandler(s.readyChecks, false)(c)
}

// ReadyHandler serves /readyz with each check's detail, for the admin
// listener only.
func (s *Server) ReadyHandler() fiber.Handler { return s.edge.ReadyHandler(s.readyChecks, true) }

// readyChecks are the store's check, required, then the configured ones.
func (s *Server) readyChecks() []Check {
	return append([]Check{{Name: "store", Required: true, Probe: func(ctx context.Context) (bool, string) {
		if err := s.store.Ping(ctx); err != nil {
			return false, err.Error()
		}
		return true, "ok"
	}}}, s.checks...)
}

// openAPIDocument serves the OpenAPI 3.1 description of the public JSON API
// and Open311 (api/openapi/openapi.json).
func openAPIDocument(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openapi.JSON())
}

// openAPIReference serves the same document as a plain page for people.
func openAPIReference(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(openapi.Reference())
}

// shopAnswer is a shop's rendered answer (variant: "json", "page:en" …),
// from the view cache when there is one.
func (s *Server) shopAnswer(ctx context.Context, licence, variant string, render func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if s.views == nil {
		return render(ctx)
	}
	return s.views.Answer(ctx, licence, variant, render)
}
