package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"time"

	"shian/api"
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
	srv := api.New(api.Config{Store: db, Logger: log, Now: env.Now})

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
	return nil
}
