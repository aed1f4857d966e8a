package main

import (
	"context"
	"path/filepath"

	"shian/complaints"
	"shian/ratelimit"
	"shian/resolve"
	"shian/store/sqlstore"
	"shian/triage"
)

// complaintService builds the complaint intake on db: the shipped triage
// data (the lead may pass operator files through triage.ConfigFromFiles),
// the secret for sealing contacts, and SHIAN_DATA_DIR/photos for photos,
// which is outside anything the web server serves. limiter charges every
// filing to the complaint limits (serve); nil leaves tools unlimited. With
// shops, a filing without a licence has its shop resolved from the name
// typed (package resolve) through that search; nil leaves it unresolved
// (commands that file nothing).
func (env *Env) complaintService(db *sqlstore.DB, tr *triage.Triager, limiter *ratelimit.Limiter, shops resolve.Searcher) (*complaints.Service, error) {
	secret, err := env.Config.SecretBytes()
	if err != nil {
		return nil, err
	}
	if tr == nil {
		if tr, err = triage.New(triage.Config{}); err != nil {
			return nil, err
		}
	}
	var rs *resolve.Resolver
	if shops != nil {
		nm, err := env.Names()
		if err != nil {
			return nil, err
		}
		if rs, err = resolve.New(shops, nm); err != nil {
			return nil, err
		}
	}
	return complaints.New(complaints.Config{Store: db, Triager: tr, Secret: secret,
		PhotoDir: filepath.Join(env.Config.DataDir, "photos"), Limiter: limiter, Resolver: rs, Now: env.Now})
}

// withComplaints runs fn with the complaint service on the migrated store,
// closing the store when fn returns: the opening of every subcommand that
// works on complaints (apikey, purge).
func (env *Env) withComplaints(ctx context.Context, fn func(svc *complaints.Service) error) error {
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := env.complaintService(db, nil, nil, nil)
	if err != nil {
		return err
	}
	return fn(svc)
}
