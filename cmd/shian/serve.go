package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"

	"shian/api"
	"shian/triage"
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
	cs, err := env.complaintService(db, tr)
	if err != nil {
		return err
	}
	sp := env.searchParts(ctx, db, log)
	go sp.run(ctx, log)
	srv := api.New(api.Config{
		Store: db, Logger: log, Now: env.Now,
		Search: sp.service, Checks: sp.checks(),
		Stickers: kit, Printer: kit, Scans: db, AdminToken: cfg.AdminToken,
		Complaints: cs,
	})
	go flushScans(ctx, srv, log)

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
