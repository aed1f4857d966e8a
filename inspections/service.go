// Package inspections is the officers' half of supervision: inspections
// recorded in the field (routine, follow-up, complaint verification, grid
// patrol), orders to rectify and their follow-ups, corrections by
// superseding records, 双随机 plans, enforcement decisions and the shop's
// transparency figures (docs/inspections.md, docs/transparency.md).
//
// Recording an inspection is one store transaction: the record, the shop's
// public history row, its new dynamic grade, a search outbox row, the audit
// entry and, for a verification, the case's public timeline event. Either
// all of it is written or none.
package inspections

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"shian"
	"shian/complaints"
	"shian/staff"
	"shian/triage"
)

//go:embed data/grade_rules.json
var defaultGradeRules []byte

// ItemCatalog is the inspection item catalog (the national catering
// checklist) the record's item codes must come from; names/ provides the
// city's, and any table of codes will do.
type ItemCatalog interface {
	Lookup(code string) (shian.CatalogItem, bool)
}

// Scope is where the recording officer may record: their district, and
// only their grid when they are a grid officer. Admin records anywhere.
// The caller (console, API) builds it from the signed-in principal.
type Scope struct {
	Officer  string
	District string
	Grid     string
	Admin    bool
}

// ScopeOf is the scope of a staff principal.
func ScopeOf(p *staff.Principal) Scope {
	return Scope{Officer: p.Name, District: p.District, Grid: p.Grid, Admin: p.Role == staff.RoleAdmin}
}

// Covers reports whether the scope includes a shop in district and grid.
func (sc Scope) Covers(district, grid string) bool {
	if sc.Admin {
		return true
	}
	return sc.District != "" && district == sc.District && (sc.Grid == "" || grid == sc.Grid)
}

// Write is what one recording stores in one transaction.
type Write struct {
	Record *shian.InspectionRecord
	Audit  []staff.AuditEntry
	// FollowUpMet, for a follow-up, is the outcome of the order it checks
	// (Record.FollowUpOf): the store sets it only while the order is open.
	FollowUpMet *bool
	// Verify, for a complaint verification, runs on the locked case of
	// Record.CaseTicket; what it returns is written with the record.
	Verify func(c *staff.Case) (*staff.Change, error)
}

// Store is what the service needs from the system of record
// (store/sqlstore implements it on SQLite and PostgreSQL).
type Store interface {
	// ShopByLicence returns a shop with its history. Errors: ENOTFOUND.
	ShopByLicence(ctx context.Context, licence string) (*shian.Shop, error)
	// RecordInspection writes w in one transaction: the record, the shop's
	// history row and recomputed grade, a search outbox row and the audit
	// entries; for a correction it marks the superseded record; for a
	// follow-up it closes the order; for a verification it links the case.
	// When a record with the same DraftKey exists it writes nothing and
	// returns that record and true. Errors: ENOTFOUND (the record to
	// supersede or follow up, the case), ECONFLICT (already superseded,
	// order already followed up, case state), EUNAVAILABLE.
	RecordInspection(ctx context.Context, w Write) (*shian.InspectionRecord, bool, error)
	// InspectionRecord returns one record. Errors: ENOTFOUND.
	InspectionRecord(ctx context.Context, id int64) (*shian.InspectionRecord, error)
	// OpenOrders returns the records whose order to rectify is still open,
	// in district (and grid when not ""), soonest deadline first.
	OpenOrders(ctx context.Context, district, grid string, limit int) ([]*shian.InspectionRecord, error)
}

// Config is what New needs. Store, Catalog and Calendar are required.
type Config struct {
	Store    Store
	Catalog  ItemCatalog
	Calendar *triage.Calendar
	// Rules maps overall results to grades; nil is the shipped data file
	// (data/grade_rules.json).
	Rules *shian.GradeRules
	// Photos is where inspection photos go (SHIAN_DATA_DIR/photos); with
	// Dir "" photos are refused.
	Photos complaints.PhotoDir
	Now    func() time.Time
}

// Service records inspections. Safe for concurrent use.
type Service struct {
	store   Store
	catalog ItemCatalog
	cal     *triage.Calendar
	rules   shian.GradeRules
	photos  complaints.PhotoDir
	now     func() time.Time
}

// New checks cfg and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.Calendar == nil {
		return nil, fmt.Errorf("inspections: Store, Catalog and Calendar are required")
	}
	s := &Service{store: cfg.Store, catalog: cfg.Catalog, cal: cfg.Calendar, photos: cfg.Photos, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.Rules != nil {
		s.rules = *cfg.Rules
	} else {
		r, err := ParseGradeRules(defaultGradeRules)
		if err != nil {
			return nil, fmt.Errorf("inspections: shipped grade rules: %w", err)
		}
		s.rules = r
	}
	if err := s.rules.Validate(); err != nil {
		return nil, fmt.Errorf("inspections: grade rules: %w", err)
	}
	return s, nil
}

// ParseGradeRules reads a grade rules data file:
//
//	{"compliant": "excellent", "mostly": "good", "mostly_with_rectify": "fair", "non_compliant": "fail"}
//
// Errors: EINVALID.
func ParseGradeRules(b []byte) (shian.GradeRules, error) {
	var r shian.GradeRules
	if err := shian.DecodeStrict(b, &r); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// Result is what Record answers.
type Result struct {
	Record *shian.InspectionRecord
	// Duplicate says the draft had been submitted before: Record is the
	// first submission's record and nothing new was written.
	Duplicate bool
}

// Record validates and stores an inspection. Errors: EINVALID (bad input:
// future date, not two inspectors, an item not in the catalog, a
// rectification deadline already past, no photos directory), EFORBIDDEN
// (a shop outside the officer's district or grid), ENOTFOUND (shop,
// record, case), ECONFLICT (the draft key used for a different
// inspection; a record already superseded; an order already followed up;
// a case in a state without a verification step), EUNAVAILABLE.
func (s *Service) Record(ctx context.Context, sc Scope, in shian.InspectionInput) (*Result, error) {
	now := s.now()
	if sc.Officer == "" {
		return nil, shian.Errorf(shian.EUNAUTHORIZED, "recording an inspection needs a signed-in officer")
	}
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	failed, err := s.resolveItems(&in)
	if err != nil {
		return nil, err
	}
	shop, err := s.store.ShopByLicence(ctx, in.Licence)
	if err != nil {
		return nil, err
	}
	if !sc.Covers(shop.District, shop.Grid) {
		return nil, &shian.Error{Code: shian.EFORBIDDEN, Field: "licence", Key: "inspection_outside_scope",
			Message: fmt.Sprintf("shop %s is in %s/%s, outside your district or grid", shop.Licence, shop.District, shop.Grid)}
	}
	r := &shian.InspectionRecord{
		ShopID: shop.ID, Licence: shop.Licence, Type: in.Type, Date: in.Date, Inspectors: in.Inspectors, Items: in.Items,
		Overall: shian.OverallResult(in.Items), Score: in.Score, RectifyDays: in.RectifyDays, FollowUpOf: in.FollowUpOf,
		CaseTicket: in.CaseTicket, Notes: in.Notes, District: shop.District, Grid: shop.Grid, RecordedBy: sc.Officer,
		Supersedes: in.Supersedes, SupersedeReason: in.SupersedeReason,
		DraftKey: sc.Officer + ":" + in.DraftKey, DraftHash: in.Fingerprint(), CreatedAt: now.UTC(),
	}
	if in.Type != shian.InspectionPatrol {
		r.Result = s.rules.Result(r.Overall, r.Score, r.RectifyDays > 0)
	}
	if r.RectifyDays > 0 {
		due := shian.DateOf(s.cal.AddWorkingDays(r.Date, r.RectifyDays))
		if due.Before(shian.DateOf(now)) {
			return nil, &shian.Error{Code: shian.EINVALID, Field: "rectify_days", Key: "inspection_rectify_past",
				Message: fmt.Sprintf("%d working days after %s is %s, already past", r.RectifyDays, r.Date.Format(shian.DateLayout), due.Format(shian.DateLayout))}
		}
		r.RectifyDue = due
	}
	w := Write{Record: r, Audit: []staff.AuditEntry{{At: staff.AuditTime(now), Actor: sc.Officer, Action: "inspection",
		Target: shop.Licence, Detail: auditDetail(r)}}}
	if err := s.checkLinks(ctx, sc, &w, failed); err != nil {
		return nil, err
	}
	// Photos are files: written before the transaction, removed when it
	// fails or the draft turns out to be a resubmission.
	saved, err := s.savePhotos(in.Photos, now)
	if err != nil {
		return nil, err
	}
	r.Photos = saved
	got, dup, err := s.store.RecordInspection(ctx, w)
	if err != nil || dup {
		s.photos.Remove(paths(saved)...)
	}
	if err != nil {
		return nil, err
	}
	if dup && got.DraftHash != r.DraftHash {
		return nil, &shian.Error{Code: shian.ECONFLICT, Field: "draft_key", Key: "inspection_draft_reused",
			Message: "this draft key was already used for a different inspection (record " + fmt.Sprint(got.ID) + "); start a new draft"}
	}
	return &Result{Record: got, Duplicate: dup}, nil
}

// resolveItems checks every item code against the catalog (patrol checks
// against the short form) and marks key items; it returns the catalog
// entries of the items not found compliant, for the public finding.
func (s *Service) resolveItems(in *shian.InspectionInput) ([]shian.CatalogItem, error) {
	var failed []shian.CatalogItem
	for i := range in.Items {
		it := &in.Items[i]
		var c shian.CatalogItem
		var ok bool
		if in.Type == shian.InspectionPatrol {
			c, ok = patrolItem(it.Code)
		} else {
			c, ok = s.catalog.Lookup(it.Code)
		}
		if !ok {
			return nil, &shian.Error{Code: shian.EINVALID, Field: fmt.Sprintf("items[%d].code", i), Key: "inspection_unknown_item",
				Message: fmt.Sprintf("%q is not an item of the inspection catalog", it.Code)}
		}
		it.Key = c.Key
		if it.Result != shian.ItemCompliant {
			failed = append(failed, c)
		}
	}
	return failed, nil
}

func patrolItem(code string) (shian.CatalogItem, bool) {
	for _, p := range shian.PatrolItems {
		if p.Code == code {
			return p, true
		}
	}
	return shian.CatalogItem{}, false
}

// checkLinks prepares what a correction, a follow-up or a verification
// changes besides the record.
func (s *Service) checkLinks(ctx context.Context, sc Scope, w *Write, failed []shian.CatalogItem) error {
	r := w.Record
	if r.Supersedes != 0 {
		old, err := s.store.InspectionRecord(ctx, r.Supersedes)
		if err != nil {
			return err
		}
		if old.ShopID != r.ShopID || !sc.Covers(old.District, old.Grid) {
			return &shian.Error{Code: shian.EINVALID, Field: "supersedes", Key: "inspection_supersede_other",
				Message: "a correction supersedes an earlier record of the same shop, in your district"}
		}
		w.Audit = append(w.Audit, staff.AuditEntry{At: w.Audit[0].At, Actor: sc.Officer, Action: "inspection_superseded",
			Target: fmt.Sprint(old.ID), Detail: "reason=" + quote(r.SupersedeReason)})
	}
	if r.FollowUpOf != 0 {
		order, err := s.store.InspectionRecord(ctx, r.FollowUpOf)
		if err != nil {
			return err
		}
		if order.ShopID != r.ShopID || order.RectifyDue.IsZero() {
			return &shian.Error{Code: shian.EINVALID, Field: "follow_up_of", Key: "inspection_no_order",
				Message: fmt.Sprintf("record %d is not an order to rectify of this shop", order.ID)}
		}
		met := r.Overall != shian.ItemNonCompliant && !r.Date.After(order.RectifyDue)
		w.FollowUpMet = &met
	}
	if r.Type == shian.InspectionVerification {
		t, ok := shian.ParseTicket(r.CaseTicket)
		if !ok {
			return &shian.Error{Code: shian.ENOTFOUND, Field: "case", Key: "case_not_found", Message: "no complaint has ticket " + r.CaseTicket}
		}
		r.CaseTicket = t
		w.Verify = func(c *staff.Case) (*staff.Change, error) {
			if !sc.Covers(c.District, c.Grid) {
				return nil, &shian.Error{Code: shian.ENOTFOUND, Field: "case", Key: "case_not_found", Message: "no complaint has ticket " + t}
			}
			if c.ShopID != 0 && c.ShopID != r.ShopID {
				return nil, &shian.Error{Code: shian.EINVALID, Field: "case", Key: "inspection_case_other_shop",
					Message: "the case " + t + " is about another shop"}
			}
			finding := shian.Finding(c.Lang, r.Date, r.Overall, failed)
			ch, err := staff.Verification(c, sc.Officer, finding, s.now())
			if err != nil {
				return nil, err
			}
			r.CaseID = c.ID
			return ch, nil
		}
	}
	return nil
}

func (s *Service) savePhotos(raw [][]byte, now time.Time) ([]shian.ComplaintPhoto, error) {
	if len(raw) == 0 {
		return []shian.ComplaintPhoto{}, nil
	}
	if s.photos.Dir == "" {
		return nil, &shian.Error{Code: shian.EINVALID, Field: "photos", Key: "photos_disabled", Message: "photos are not accepted here"}
	}
	var out []shian.ComplaintPhoto
	for _, b := range raw {
		p, err := complaints.ProcessPhoto(b)
		if err == nil {
			var rel string
			if rel, err = s.photos.Save(p, now); err == nil {
				out = append(out, shian.ComplaintPhoto{Path: rel, Type: p.Type, Width: p.Width, Height: p.Height, Size: len(p.Data)})
				continue
			}
		}
		s.photos.Remove(paths(out)...)
		return nil, err
	}
	return out, nil
}

func paths(ps []shian.ComplaintPhoto) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Path
	}
	return out
}

// OpenOrders is the inspector's queue of follow-ups: orders to rectify
// still open in the scope, soonest deadline first, each with the working
// days left (negative when overdue). Errors: EUNAVAILABLE.
func (s *Service) OpenOrders(ctx context.Context, sc Scope, limit int) ([]FollowUp, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	district, grid := sc.District, sc.Grid
	if sc.Admin {
		district, grid = "", ""
	}
	rs, err := s.store.OpenOrders(ctx, district, grid, limit)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]FollowUp, len(rs))
	for i, r := range rs {
		// The deadline day itself is still in time: count to its end.
		due := time.Date(r.RectifyDue.Year(), r.RectifyDue.Month(), r.RectifyDue.Day(), 23, 59, 59, 0, shian.CST)
		out[i] = FollowUp{Order: r, DaysLeft: s.cal.WorkingDaysBetween(now, due), Overdue: now.After(due)}
	}
	return out, nil
}

// FollowUp is one due follow-up in an inspector's queue.
type FollowUp struct {
	Order    *shian.InspectionRecord
	DaysLeft int
	Overdue  bool
}

func auditDetail(r *shian.InspectionRecord) string {
	d := fmt.Sprintf("type=%s date=%s overall=%s result=%s inspectors=%s", r.Type, r.Date.Format(shian.DateLayout), r.Overall,
		quote(r.Result), quote(r.Inspectors[0]+","+r.Inspectors[1]))
	if r.RectifyDays > 0 {
		d += " rectify_due=" + r.RectifyDue.Format(shian.DateLayout)
	}
	if r.CaseTicket != "" {
		d += " case=" + r.CaseTicket
	}
	if r.Supersedes != 0 {
		d += fmt.Sprintf(" supersedes=%d", r.Supersedes)
	}
	return d
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// CatalogMap is an ItemCatalog held in a map, for tests and for wiring
// before the city's catalog (names/) is loaded.
type CatalogMap map[string]shian.CatalogItem

// Lookup implements ItemCatalog.
func (m CatalogMap) Lookup(code string) (shian.CatalogItem, bool) {
	c, ok := m[code]
	return c, ok
}
