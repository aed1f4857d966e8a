// Package complaints is the one intake of complaints and reports for every
// channel (API, form page, bot, Open311): it validates what was submitted,
// checks photos, triages, seals contact data, and writes the complaint to
// the store exactly once per idempotency key. It also answers tracking
// (ticket + proof), satisfaction ratings, partner API keys and purging.
package complaints

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shian"
	"shian/ratelimit"
	"shian/resolve"
	"shian/triage"
)

// Idempotency timing (issue 5): a key is remembered for IdempotencyKeep; a
// request holds it for IdempotencyLease, after which a retry may take over
// from a replica that died mid-request (its transaction never committed).
const (
	IdempotencyKeep  = 24 * time.Hour
	IdempotencyLease = 30 * time.Second
)

// Wrong tracking proofs: after ProofAttempts wrong ones within ProofWindow,
// a ticket refuses every proof until the window ends.
const (
	ProofAttempts = 5
	ProofWindow   = 15 * time.Minute
)

// Errors of the idempotency protocol (declared in package shian, where the
// HTTP edge's status table finds them).
var (
	ErrIdempotencyMismatch = shian.ErrIdempotencyMismatch
	ErrIdempotencyBusy     = shian.ErrIdempotencyBusy
)

// Config is what New needs. Store, Triager and Secret are required.
type Config struct {
	Store   shian.ComplaintStore
	Triager *triage.Triager
	// Secret is the key material (SHIAN_SECRET) for sealing contacts and
	// keyed hashes; changing it makes stored contacts unreadable.
	Secret []byte
	// PhotoDir is where photos are stored: SHIAN_DATA_DIR/photos, outside
	// any directory the web server serves.
	PhotoDir string
	// Limiter, when set, charges every filing to the complaint limits
	// (guard.go); nil files unlimited (command-line tools, imports).
	Limiter *ratelimit.Limiter
	// Resolver, when set, finds the registered shop of a complaint filed
	// without a licence (package resolve); nil files it by the text alone.
	Resolver *resolve.Resolver
	// ResolveBudget bounds a resolution (default 300 ms): past it, the
	// complaint is filed with its shop unresolved rather than late.
	ResolveBudget time.Duration
	Now           func() time.Time
}

// Service files, tracks and rates complaints. Safe for concurrent use.
type Service struct {
	store  shian.ComplaintStore
	triage *triage.Triager
	sealer *Sealer
	photos PhotoDir
	now    func() time.Time
	// decoding photos takes memory: decode.go bounds it in bytes.
	decode decodeLimit
	// resolver finds the shop of a filing without a licence; nil: none.
	resolver      *resolve.Resolver
	resolveBudget time.Duration
	// inflight holds the idempotency keys of the filings under way here.
	inflight sync.Map
	guard    *guard
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Triager == nil {
		return nil, errors.New("complaints: Store and Triager are required")
	}
	if cfg.PhotoDir == "" {
		return nil, errors.New("complaints: PhotoDir is required")
	}
	sealer, err := NewSealer(cfg.Secret)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	g, err := newGuard(cfg.Limiter)
	if err != nil {
		return nil, err
	}
	budget := cfg.ResolveBudget
	if budget <= 0 {
		budget = 300 * time.Millisecond
	}
	return &Service{guard: g, store: cfg.Store, triage: cfg.Triager, sealer: sealer, photos: PhotoDir{Dir: cfg.PhotoDir}, now: now,
		decode: newDecodeLimit(), resolver: cfg.Resolver, resolveBudget: budget}, nil
}

// Photos returns where photos are stored, for the console to serve them.
func (s *Service) Photos() PhotoDir { return s.photos }

// Sealer returns the sealer, for the console's contact reveal.
func (s *Service) Sealer() *Sealer { return s.sealer }

// ValidIdempotencyKey reports whether k can be an idempotency key: 1–128
// printable ASCII characters.
func ValidIdempotencyKey(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// File validates, triages and stores a complaint and answers only once it
// is committed. With an idempotency key, the same key and request replays
// the first answer, the same key with another request is
// ErrIdempotencyMismatch, and one still in progress is ErrIdempotencyBusy.
// Errors: EINVALID (naming the field), ERATELIMITED (the complaint limits,
// guard.go), ECONFLICT, EUNAVAILABLE, EINTERNAL.
func (s *Service) File(ctx context.Context, sub shian.ComplaintSubmission) (*shian.FiledComplaint, error) {
	now := s.now()
	in := sub.Input
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	if len(sub.Photos) > shian.MaxPhotos {
		return nil, photoError("photo_count", "at most %d photos", shian.MaxPhotos)
	}
	if sub.IdempotencyKey != "" && !ValidIdempotencyKey(sub.IdempotencyKey) {
		return nil, &shian.Error{Code: shian.EINVALID, Field: "Idempotency-Key", Key: "idempotency_bad",
			Message: "an Idempotency-Key must be 1–128 printable ASCII characters"}
	}
	if err := s.guard.charge(ctx, sub, s.PhoneKey(in.ContactPhone)); err != nil {
		return nil, err
	}
	var shop *shian.Shop
	if in.Licence != "" {
		var err error
		shop, err = s.store.ShopByLicence(ctx, in.Licence)
		if shian.ErrorCode(err) == shian.ENOTFOUND {
			return nil, &shian.Error{Code: shian.EINVALID, Field: "licence", Key: "shop_not_found", Args: []any{in.Licence},
				Message: "no shop has licence number " + in.Licence}
		} else if err != nil {
			return nil, err
		}
	}
	found, err := s.resolveShop(ctx, in, shop)
	if err != nil {
		return nil, err
	}
	photos, err := s.processPhotos(ctx, sub.Photos)
	if err != nil {
		return nil, err
	}

	if sub.IdempotencyKey == "" {
		return s.file(ctx, in, found, photos, sub.Partner, nil, now)
	}
	// The key is claimed in the filing transaction itself. Two requests
	// with one key in this process at once: the second is told to retry
	// (a replica elsewhere meets the key in the database instead).
	idem := &shian.Idempotency{Key: "complaint:" + sub.Partner + ":" + sub.IdempotencyKey, RequestHash: requestHash(sub, in),
		Owner: token(), Keep: IdempotencyKeep}
	if _, busy := s.inflight.LoadOrStore(idem.Key, true); busy {
		return nil, ErrIdempotencyBusy
	}
	defer s.inflight.Delete(idem.Key)
	filed, err := s.file(ctx, in, found, photos, sub.Partner, idem, now)
	if !errors.Is(err, shian.ErrIdempotencyTaken) {
		return filed, err
	}
	// The key is in use: find out how, as the two-step protocol does.
	idem.Held = false
	state, err := s.store.BeginIdempotency(ctx, idem, IdempotencyLease, IdempotencyKeep)
	if err != nil {
		return nil, err
	}
	switch state {
	case shian.IdemDone:
		return s.replay(idem)
	case shian.IdemBusy:
		return nil, ErrIdempotencyBusy
	case shian.IdemMismatch:
		return nil, ErrIdempotencyMismatch
	}
	// Held now (the key was forgotten meanwhile): file under it.
	filed, err = s.file(ctx, in, found, photos, sub.Partner, idem, now)
	if err != nil {
		// Let the client retry with the same key at once. With the request's
		// context gone, the lease expires on its own.
		_ = s.store.ReleaseIdempotency(context.WithoutCancel(ctx), idem)
	}
	return filed, err
}

func (s *Service) processPhotos(ctx context.Context, raw [][]byte) ([]*Photo, error) {
	var out []*Photo
	for _, b := range raw {
		p, err := s.decode.process(ctx, b)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Service) replay(idem *shian.Idempotency) (*shian.FiledComplaint, error) {
	plain, err := s.sealer.Open(string(idem.Response), "idempotency:"+idem.Key)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", idem.Key, err)
	}
	var f shian.FiledComplaint
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	f.Replayed = true
	return &f, nil
}

func (s *Service) file(ctx context.Context, in shian.ComplaintInput, found shopFound, photos []*Photo, partner string, idem *shian.Idempotency, now time.Time) (*shian.FiledComplaint, error) {
	shop := found.shop
	tin := triage.Input{Kind: in.Kind, Category: in.Category, Description: in.Description,
		HasGeo: in.HasGeo, Lat: in.Lat, Lng: in.Lng, ShopName: in.ShopName, ShopAddress: in.ShopAddress, ReceivedAt: now}
	switch {
	case shop != nil:
		tin.ShopDistrict, tin.ShopGrid, tin.ShopCategory = shop.District, shop.Grid, shop.Category
	case found.district != "":
		// Candidates all in one district: route there until an officer
		// confirms the shop.
		tin.ShopDistrict = found.district
	}
	r := s.triage.Triage(tin)
	c := &shian.Complaint{Kind: in.Kind, Status: shian.ComplaintReceived, Category: r.Category, SubmittedCategory: in.Category,
		Priority: r.Priority, District: r.District, Grid: r.Grid, Office: r.Office, RoutedBy: r.RoutedBy,
		Licence: in.Licence, ShopName: in.ShopName, ShopAddress: in.ShopAddress, Description: in.Description,
		OccurredAt: in.OccurredAt, Lat: in.Lat, Lng: in.Lng, HasGeo: in.HasGeo, OrderNo: in.OrderNo, Lang: in.Lang,
		Channel: in.Channel, Partner: partner, AcceptDue: r.AcceptDue, VerifyDue: r.VerifyDue,
		Resolution: found.resolution, Reading: readingOf(tin)}
	if shop != nil {
		c.ShopID, c.Licence = shop.ID, shop.Licence
		if c.ShopName == "" {
			c.ShopName = shop.Name
		}
	}
	if r.District == "" {
		c.ProbableDistrict = found.probable
	}
	c.ShopKey = triage.ShopKey(c.Licence, r.District, in.ShopName)
	if in.ContactPhone != "" {
		c.PhoneHash = s.sealer.Hash("phone", in.ContactPhone)
		c.PhoneMasked = shian.MaskPhone(in.ContactPhone)
	}
	receipt, err := shian.NewReceipt()
	if err != nil {
		return nil, err
	}

	var saved []string
	for _, p := range photos {
		rel, err := s.photos.Save(p, now)
		if err != nil {
			s.photos.Remove(saved...)
			return nil, err
		}
		saved = append(saved, rel)
		c.Photos = append(c.Photos, shian.ComplaintPhoto{Path: rel, Type: p.Type, Width: p.Width, Height: p.Height, Size: len(p.Data)})
	}
	link := func(recent []shian.RecentComplaint) shian.ComplaintLinks {
		rs := make([]triage.Recent, len(recent))
		for i, x := range recent {
			rs[i] = triage.Recent{ID: strconv.FormatInt(x.ID, 10), ShopKey: c.ShopKey, Category: x.Category,
				PhoneHash: x.PhoneHash, ReceivedAt: x.CreatedAt}
			if x.DuplicateOf != 0 {
				rs[i].DuplicateOf = strconv.FormatInt(x.DuplicateOf, 10)
			}
		}
		l := triage.Link(triage.Filed{ShopKey: c.ShopKey, Category: c.Category, PhoneHash: c.PhoneHash, ReceivedAt: now}, rs)
		var out shian.ComplaintLinks
		for _, id := range l.Cluster {
			n, _ := strconv.ParseInt(id, 10, 64)
			out.Cluster = append(out.Cluster, n)
		}
		out.DuplicateOf, _ = strconv.ParseInt(l.DuplicateOf, 10, 64)
		return out
	}

	for attempt := 0; ; attempt++ {
		if c.Ticket, err = shian.NewTicket(); err != nil {
			break
		}
		if err = s.seal(c, in, receipt); err != nil {
			break
		}
		f := &shian.FiledComplaint{Ticket: c.Ticket, Kind: c.Kind, Status: c.Status, Office: c.Office, AcceptDue: c.AcceptDue,
			VerifyDue: c.VerifyDue, Receipt: receipt, PhoneMask: c.PhoneMasked, Lang: c.Lang, FiledAt: now.UTC(),
			Category: c.Category}
		if o, ok := s.triage.Routing().Office(c.Office); ok {
			f.Names = o.Names
		}
		if idem != nil {
			plain, _ := json.Marshal(f)
			sealed, err := s.sealer.Seal(plain, "idempotency:"+idem.Key)
			if err != nil {
				return nil, err
			}
			idem.Response = []byte(sealed)
		}
		err = s.store.InsertComplaint(ctx, c, link, idem)
		if err == nil {
			return f, nil
		}
		var se *shian.Error
		if !errors.As(err, &se) || se.Field != "ticket" || attempt == 3 {
			break
		}
	}
	s.photos.Remove(saved...)
	return nil, err
}

// shopFound is what intake knows of a filing's shop: the shop (given by
// licence or matched), or the district its candidates share, or the
// district they probably lie in, and how it was found.
type shopFound struct {
	shop       *shian.Shop
	district   string // every candidate's district
	probable   string // the best candidate's district
	resolution shian.ShopResolution
}

// resolveShop finds the shop of a filing without a licence by its name,
// address and point (package resolve), within the resolve budget. A match
// is read again from the store by its licence (search documents do not
// carry the grid). A resolution that fails or runs out of time files the
// complaint as unresolved, with the reason: intake never waits on search.
func (s *Service) resolveShop(ctx context.Context, in shian.ComplaintInput, shop *shian.Shop) (shopFound, error) {
	switch {
	case shop != nil:
		return shopFound{shop: shop, resolution: shian.ShopResolution{Outcome: shian.ShopByLicence, Confidence: 1}}, nil
	case s.resolver == nil || in.ShopName == "":
		return shopFound{resolution: shian.ShopResolution{Outcome: shian.ShopUnresolved}}, nil
	}
	q := resolve.Query{Name: in.ShopName, Address: in.ShopAddress, Lat: in.Lat, Lng: in.Lng, HasGeo: in.HasGeo}
	if in.HasGeo {
		q.District, _, _ = s.triage.Grids().Locate(in.Lat, in.Lng)
	}
	rctx, cancel := context.WithTimeout(ctx, s.resolveBudget)
	res, err := s.resolver.Resolve(rctx, q)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return shopFound{}, ctx.Err()
		}
		return shopFound{resolution: shian.ShopResolution{Outcome: shian.ShopUnresolved, Reasons: []string{resolve.ReasonNoSearch}}}, nil
	}
	f := shopFound{resolution: shian.ShopResolution{Outcome: res.Outcome, Confidence: res.Confidence, Reasons: res.Reasons,
		Candidates: res.Licences()}}
	switch res.Outcome {
	case resolve.Match:
		full, err := s.store.ShopByLicence(ctx, res.Shop.Licence)
		switch {
		case err == nil:
			f.shop = full
		case shian.ErrorCode(err) == shian.ENOTFOUND: // gone since it was indexed: ask instead
			f.resolution.Outcome = shian.ShopCandidates
		default:
			return shopFound{}, err
		}
	case resolve.Candidates:
		f.district = res.District()
		f.probable = res.Candidates[0].Shop.District
	}
	return f, nil
}

// readingOf is the reading triage decided by, as the case keeps it.
func readingOf(tin triage.Input) shian.ComplaintReading {
	rd := tin.Reading()
	out := shian.ComplaintReading{Category: rd.Category, Priority: rd.Priority, Why: rd.Why()}
	for _, sg := range rd.Signals {
		out.Signals = append(out.Signals, shian.ReadingSignal{Kind: sg.Kind, Words: sg.Words})
	}
	for _, sg := range rd.Denied {
		out.Denied = append(out.Denied, shian.ReadingSignal{Kind: sg.Kind, Words: sg.Words})
	}
	return out
}

// seal fills the sealed contact and proof hashes, which depend on the ticket.
func (s *Service) seal(c *shian.Complaint, in shian.ComplaintInput, receipt string) error {
	c.ReceiptHash = s.sealer.Hash("receipt", c.Ticket+"|"+receipt)
	c.ContactSealed, c.Last4Hash = "", ""
	if in.ContactName == "" && in.ContactPhone == "" {
		return nil
	}
	plain, _ := json.Marshal(Contact{Name: in.ContactName, Phone: in.ContactPhone})
	sealed, err := s.sealer.Seal(plain, "contact:"+c.Ticket)
	if err != nil {
		return err
	}
	c.ContactSealed = sealed
	if in.ContactPhone != "" {
		c.Last4Hash = s.sealer.Hash("last4", c.Ticket+"|"+shian.PhoneLast4(in.ContactPhone))
	}
	return nil
}

// Contact is a complainant's contact data, only ever stored sealed.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// OpenContact unseals a complaint's contact, for the console's audited
// reveal. Errors: ENOTFOUND when there is none (anonymous or purged).
func (s *Service) OpenContact(c *shian.Complaint) (Contact, error) {
	if c.ContactSealed == "" {
		return Contact{}, shian.Errorf(shian.ENOTFOUND, "complaint %s has no contact data", c.Ticket)
	}
	plain, err := s.sealer.Open(c.ContactSealed, "contact:"+c.Ticket)
	if err != nil {
		return Contact{}, fmt.Errorf("contact of %s: %w", c.Ticket, err)
	}
	var ct Contact
	err = json.Unmarshal(plain, &ct)
	return ct, err
}

// requestHash identifies a request for idempotency: the validated input,
// the photos' digests and the partner, so that the same form submitted
// again (even with a new multipart boundary) is the same request.
func requestHash(sub shian.ComplaintSubmission, in shian.ComplaintInput) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(in)
	for _, p := range sub.Photos {
		d := sha256.Sum256(p)
		h.Write(d[:])
	}
	h.Write([]byte(sub.Partner))
	return hex.EncodeToString(h.Sum(nil))
}

func token() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.EncodeToString(b[:])
}

var errNoMatch = &shian.Error{Code: shian.ENOTFOUND, Key: "complaint_not_found", Message: "no complaint matches this ticket and proof"}

// check finds the complaint of ticket and checks the proof. An unknown
// ticket and a wrong proof give the same ENOTFOUND, so neither reveals
// that a ticket exists; wrong proofs are counted per ticket and, beyond
// ProofAttempts in ProofWindow, answered ERATELIMITED.
func (s *Service) check(ctx context.Context, ticket string, p shian.TrackingProof) (*shian.Complaint, error) {
	t, ok := shian.ParseTicket(ticket)
	if !ok {
		return nil, errNoMatch
	}
	c, err := s.store.ComplaintByTicket(ctx, t)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, errNoMatch
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if c.ProofFailures >= ProofAttempts && now.Sub(c.ProofWindow) < ProofWindow {
		return nil, limited(c.ProofWindow.Add(ProofWindow).Sub(now))
	}
	match := false
	if r, ok := shian.ParseReceipt(p.Receipt); ok {
		match = equalHash(c.ReceiptHash, s.sealer.Hash("receipt", c.Ticket+"|"+r))
	}
	if l4 := strings.TrimSpace(p.PhoneLast4); !match && len(l4) == 4 {
		match = equalHash(c.Last4Hash, s.sealer.Hash("last4", c.Ticket+"|"+l4))
	}
	if !match {
		n, err := s.store.RecordProofFailure(ctx, c.ID, ProofWindow)
		if err != nil {
			return nil, err
		}
		if n > ProofAttempts {
			return nil, limited(ProofWindow)
		}
		return nil, errNoMatch
	}
	return c, nil
}

func limited(wait time.Duration) error {
	secs := int(wait.Seconds()) + 1
	return &shian.Error{Code: shian.ERATELIMITED, Key: "rate_limited", Args: []any{secs},
		Message: fmt.Sprintf("too many wrong proofs for this ticket; try again in %d seconds", secs)}
}

// Track returns the public view of a ticket given a proof.
// Errors: ENOTFOUND (unknown ticket or wrong proof), ERATELIMITED.
func (s *Service) Track(ctx context.Context, ticket string, p shian.TrackingProof) (*shian.ComplaintTracking, error) {
	c, err := s.check(ctx, ticket, p)
	if err != nil {
		return nil, err
	}
	events, err := s.store.ComplaintEvents(ctx, c.ID, true)
	if err != nil {
		return nil, err
	}
	for i := range events {
		events[i].Actor, events[i].ID = "", 0 // officers are not named to the public
	}
	t := &shian.ComplaintTracking{Ticket: c.Ticket, Kind: c.Kind, Category: c.Category, Status: c.Status, Office: c.Office,
		ShopName: c.ShopName, Licence: c.Licence, FiledAt: c.CreatedAt, AcceptDue: c.AcceptDue, VerifyDue: c.VerifyDue,
		MediationDue: c.MediationDue, Timeline: events, Rating: c.Rating, CanRate: c.Rating == 0 && shian.Rateable(c.Status)}
	if o, ok := s.triage.Routing().Office(c.Office); ok {
		t.OfficeNames = o.Names
	}
	return t, nil
}

// Rate records the complainant's satisfaction (1–5 and a comment) once the
// complaint has an outcome, once. Errors: ENOTFOUND, ERATELIMITED,
// EINVALID, ECONFLICT (not finished yet, or rated already).
func (s *Service) Rate(ctx context.Context, ticket string, p shian.TrackingProof, stars int, comment string) error {
	if stars < 1 || stars > 5 {
		return &shian.Error{Code: shian.EINVALID, Field: "stars", Key: "rating_stars", Message: "stars must be 1 to 5"}
	}
	comment = strings.TrimSpace(comment)
	if !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > 500 {
		return &shian.Error{Code: shian.EINVALID, Field: "comment", Key: "rating_comment", Message: "the comment must be text of at most 500 characters"}
	}
	if _, err := shian.FreeText("comment", comment, true); err != nil {
		return err
	}
	c, err := s.check(ctx, ticket, p)
	if err != nil {
		return err
	}
	if !shian.Rateable(c.Status) {
		return &shian.Error{Code: shian.ECONFLICT, Key: "complaint_not_rateable", Message: "a complaint can be rated once it has an outcome"}
	}
	return s.store.RateComplaint(ctx, c.ID, stars, comment)
}

// List returns complaints for Open311 listings (newest first).
func (s *Service) List(ctx context.Context, f shian.ComplaintFilter) ([]*shian.Complaint, error) {
	return s.store.ListComplaints(ctx, f)
}

// Office returns an office's names, for display.
func (s *Service) Office(code string) (shian.Names, bool) {
	o, ok := s.triage.Routing().Office(code)
	return o.Names, ok
}

// AddAPIKey issues an Open311 key for a partner and returns it; only its
// keyed hash is stored, so it is shown once. Errors: EINVALID, ECONFLICT.
func (s *Service) AddAPIKey(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 || !utf8.ValidString(name) {
		return "", shian.FieldError("name", "must be 1–64 characters")
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := "qhd_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	if err := s.store.AddAPIKey(ctx, name, s.sealer.Hash("apikey", key)); err != nil {
		return "", err
	}
	return key, nil
}

// Partner returns the partner an Open311 api_key belongs to.
// Errors: EUNAUTHORIZED.
func (s *Service) Partner(ctx context.Context, key string) (string, error) {
	if key == "" || len(key) > 100 {
		return "", &shian.Error{Code: shian.EUNAUTHORIZED, Message: "api_key is required", Key: "bad_api_key"}
	}
	return s.store.APIKeyPartner(ctx, s.sealer.Hash("apikey", key))
}

// Purge erases the contact data of complaints closed more than olderThan
// ago and returns how many were purged.
func (s *Service) Purge(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan < 24*time.Hour {
		return 0, shian.FieldError("older-than", "must be at least 1 day")
	}
	return s.store.PurgeContacts(ctx, s.now().Add(-olderThan))
}

// PhoneKey is the keyed hash by which rate limits count a phone's
// submissions ("" when phone is not a valid number): the limiter and Redis
// never see the number itself.
func (s *Service) PhoneKey(phone string) string {
	p, ok := shian.NormalizePhone(phone)
	if !ok {
		return ""
	}
	return s.sealer.Hash("ratelimit-phone", p)
}
