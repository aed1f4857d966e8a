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
	url     string
}

// The glossary's synonyms (package names: coffee/café/кофе/咖啡,
// BBQ/шашлык/烧烤 …) go to both the index settings and the store
// fallback, so that a visitor's word finds Chinese-only shops either way.
func (env *Env) searchParts(ctx context.Context, db *sqlstore.DB, log *slog.Logger) (*searchParts, error) {
	cfg := env.Config
	nm, err := env.Names()
	if err != nil {
		return nil, err
	}
	syn := nm.Glossary().Synonyms()
	p := &searchParts{url: cfg.MeiliURL}
	if cfg.MeiliURL != "" {
		p.index = search.NewIndex(cfg.MeiliURL, cfg.MeiliKey, "")
		p.index.Synonyms = syn
		p.syncer = &search.Syncer{Outbox: db, Shops: db, Index: p.index, Log: log}
	} else {
		log.Warn("SHIAN_MEILI_URL is empty: search answers from the store (degraded)")
	}
	p.service = search.NewService(search.Config{Index: p.index, Store: db, Outbox: db, Log: log, Now: env.Now, Synonyms: syn})
	return p, nil
}

// run configures the index, retrying until Meilisearch accepts it, then
// applies the outbox until ctx ends. Until then search answers from the
// store (degraded): a Meilisearch that is down or busy never stops serve.
func (p *searchParts) run(ctx context.Context, log *slog.Logger) {
	if p.index == nil {
		return
	}
	for wait := time.Second; ; wait = min(2*wait, 30*time.Second) {
		ensureCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		err := p.index.Ensure(ensureCtx)
		cancel()
		if err == nil {
			break
		}
		log.Warn("meilisearch index not configured yet; search is degraded until it is", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
	keyCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if key, err := p.index.SearchKey(keyCtx); err != nil {
		log.Warn("searching with the configured key: no search-only key could be made (give SHIAN_MEILI_KEY the master key to get one)", "err", err)
	} else {
		p.service.UseSearchKey(p.url, key)
		log.Info("public searches use a search-only Meilisearch key")
	}
	cancel()
	p.syncer.Run(ctx)
}

func (p *searchParts) checks() []api.Check {
	checks := []api.Check{{Name: "search", Probe: p.service.Healthy}}
	if p.index != nil {
		// Without Meilisearch the outbox only waits for one to be configured.
		checks = append(checks, api.Check{Name: "search_outbox", Probe: p.service.LagProbe})
	}
	return checks
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
	p, err := env.searchParts(ctx, db, env.Log)
	if err != nil {
		return err
	}
	if err := p.index.Ensure(ctx); err != nil {
		return err
	}
	start := time.Now()
	st, err := p.service.Reindex(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "reindexed %+v in %.1fs\n", st, time.Since(start).Seconds())
	return nil
}
