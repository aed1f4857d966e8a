package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"shian/api"
	"shian/search"
	"shian/store/sqlstore"
)

func init() {
	register("reindex", "rebuild the Meilisearch index from the store and swap it in", reindexCmd)
}

// searchParts is the search wiring of serve: the query service, and the
// outbox worker when Meilisearch is configured.
type searchParts struct {
	service *search.Service
	syncer  *search.Syncer
	index   *search.Index
}

func (env *Env) searchParts(ctx context.Context, db *sqlstore.DB, log *slog.Logger) *searchParts {
	cfg := env.Config
	p := &searchParts{}
	if cfg.MeiliURL != "" {
		p.index = search.NewIndex(cfg.MeiliURL, cfg.MeiliKey, "")
		ensureCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := p.index.Ensure(ensureCtx); err != nil {
			// Not fatal: search answers from the store until Meilisearch
			// is back, and the worker keeps retrying.
			log.Warn("meilisearch not ready; search is degraded until it is", "err", err)
		}
		cancel()
		p.syncer = &search.Syncer{Outbox: db, Shops: db, Index: p.index, Log: log}
	} else {
		log.Warn("SHIAN_MEILI_URL is empty: search answers from the store (degraded)")
	}
	p.service = search.NewService(search.Config{Index: p.index, Store: db, Outbox: db, Log: log, Now: env.Now})
	return p
}

func (p *searchParts) checks() []api.Check {
	return []api.Check{
		{Name: "search", Probe: p.service.Healthy},
		{Name: "search_outbox", Probe: p.service.LagProbe},
	}
}

func reindexCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if env.Config.MeiliURL == "" {
		return fmt.Errorf("SHIAN_MEILI_URL is not set: there is no index to rebuild")
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p := env.searchParts(ctx, db, env.Log)
	start := time.Now()
	st, err := p.service.Reindex(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "reindexed %+v in %.1fs\n", st, time.Since(start).Seconds())
	return nil
}
