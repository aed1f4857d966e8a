package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"shian/api"
	"shian/edge"
	"shian/ratelimit"
	"shian/store/sqlstore"
	"shian/triage"
	"shian/views"
)

func init() {
	register("serve", "run the HTTP service", serve)
}

func serve(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := env.parse(fs, args); err != nil {
		return err
	}
	cfg, log := env.Config, env.Log
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	kit, err := env.stickerKit()
	if err != nil {
		return err
	}
	tr, err := triage.New(triage.Config{})
	if err != nil {
		return err
	}
	for _, w := range tr.Warnings(env.Now()) {
		log.Warn("working-day calendar", "warning", w)
	}
	proxies, err := cfg.Proxies()
	if err != nil {
		return err
	}
	policies, err := ratelimit.ParsePolicies(cfg.RateLimits, ratelimit.DefaultPolicies())
	if err != nil {
		return fmt.Errorf("SHIAN_RATE_LIMITS: %w", err)
	}
	limiter, err := ratelimit.New(ratelimit.Options{RedisURL: cfg.RedisURL, Logger: log, Policies: policies})
	if err != nil {
		return err
	}
	defer limiter.Close()
	nm, err := env.Names() // bad glossary or catalog data stops the start here, naming the line
	if err != nil {
		return err
	}
	sp, err := env.searchParts(ctx, db, log)
	if err != nil {
		return err
	}
	cs, err := env.complaintService(db, tr, limiter, sp.service)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := edge.NewMetrics(reg)
	go sp.run(ctx, log)
	st, err := env.staffService(db, tr, cs)
	if err != nil {
		return err
	}
	state, closeState, err := env.botStateStore(db)
	if err != nil {
		return err
	}
	defer closeState()
	botUser := limiter.Policy(ratelimit.BotUser)
	eng, err := env.botEngine(db, state, sp.service, cs, kit, func(ctx context.Context, channel, user string) bool {
		return limiter.Allow(ctx, botUser, channel+":"+user).Allowed
	})
	if err != nil {
		return err
	}
	var wx api.WeChat // a nil interface, not a typed nil, when WeChat is not configured
	if h, err := env.wechatHandler(eng); err != nil {
		return err
	} else if h != nil {
		wx = h
		log.Info("WeChat Official Account endpoint enabled", "path", "/bot/wechat")
	}
	e := edge.New(edge.Config{Logger: log, Limiter: limiter, TrustedProxies: proxies, Metrics: metrics,
		HTTPS: strings.HasPrefix(cfg.PublicURL, "https://")})
	cacheBytes, _ := cfg.viewCacheBytes() // validated at start
	viewCache := views.New(views.Options{MaxBytes: cacheBytes, Now: env.Now})
	poller := &views.Poller{Feed: db, Cache: viewCache}
	go poller.Run(ctx, func(err error) { log.Warn("shop view changes", "err", err) })
	srv := api.New(api.Config{
		Views: viewCache,
		Edge:  e, Store: db, Logger: log, Now: env.Now,
		Search: sp.service, Checks: sp.checks(),
		Stickers: kit, Printer: kit, Scans: db, AdminToken: cfg.AdminToken, Catalog: nm.Catalog(),
		Complaints: cs, Chat: eng, WeChat: wx, Accounts: st, Cases: st,
	})
	go flushScans(ctx, srv, log)

	if cfg.AdminAddr != "" {
		aln, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			return fmt.Errorf("listen on SHIAN_ADMIN_ADDR: %w", err)
		}
		admin := metrics.AdminApp()
		admin.Get("/readyz", srv.ReadyHandler()) // with each check's detail, unlike the public /readyz
		go admin.Listener(aln)
		defer admin.ShutdownWithTimeout(5 * time.Second)
		log.Info("metrics listening", "url", "http://"+aln.Addr().String()+"/metrics")
	}
	go reportGauges(ctx, metrics, sp, db)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("shian listening", "url", "http://"+ln.Addr().String(), "database", maskURL(cfg.DatabaseURL))
	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := srv.App.ShutdownWithTimeout(10 * time.Second); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.FlushScans(flushCtx); err != nil {
		log.Warn("scan counts not saved at shutdown", "err", err)
	}
	return nil
}

// reportGauges keeps the metrics of search degradation and outbox lag current.
func reportGauges(ctx context.Context, m *edge.Metrics, sp *searchParts, db *sqlstore.DB) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, _ := sp.service.Healthy(ctx)
		m.SetSearchDegraded(!ok)
		if n, oldest, err := db.OutboxLag(ctx); err == nil {
			lag := time.Duration(0)
			if n > 0 {
				lag = time.Since(oldest)
			}
			m.SetOutbox(n, lag)
		}
	}
}

// flushScans writes sticker scan counts every ten seconds.
func flushScans(ctx context.Context, srv *api.Server, log *slog.Logger) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := srv.FlushScans(ctx); err != nil {
				log.Warn("scan counts not saved yet; will retry", "err", err)
			}
		}
	}
}
