package inspections

import (
	"bufio"
	"bytes"
	"context"

	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shian"
	"shian/staff"
	"shian/triage"
)

// TransparencyStore is what the shop's public record needs from the store.
type TransparencyStore interface {
	ShopByLicence(ctx context.Context, licence string) (*shian.Shop, error)
	ShopCaseFacts(ctx context.Context, shopID int64, since time.Time) ([]shian.CaseFact, error)
	ShopRecords(ctx context.Context, shopID int64) ([]*shian.InspectionRecord, error)
	ShopDecisions(ctx context.Context, shopID int64, since time.Time) ([]shian.EnforcementDecision, error)
	SaveDecisions(ctx context.Context, ds []*shian.EnforcementDecision, audit []staff.AuditEntry) (shian.ImportStats, error)
	Case(ctx context.Context, ticket string) (*staff.Case, error)
	AttachReply(ctx context.Context, complaintID, shopID int64, r shian.ShopReply, audit []staff.AuditEntry) error
}

// Transparency is the shop's public supervision record: complaint
// figures, orders to rectify, enforcement decisions and the shop's replies
// (docs/transparency.md). Safe for concurrent use.
type Transparency struct {
	Store    TransparencyStore
	Calendar *triage.Calendar
	Now      func() time.Time
}

// Window is how far back the shop page looks.
const Window = 12 // months

// Shop returns the transparency view of a shop over the last 12 months:
// the one call the shop page and the API need. Errors: ENOTFOUND, EUNAVAILABLE.
func (t *Transparency) Shop(ctx context.Context, licence string) (*shian.Transparency, error) {
	shop, err := t.Store.ShopByLicence(ctx, licence)
	if err != nil {
		return nil, err
	}
	now := t.Now()
	since := shian.DateOf(now).AddDate(0, -Window, 0)
	v := &shian.Transparency{Licence: shop.Licence, From: since, To: shian.DateOf(now)}
	facts, err := t.Store.ShopCaseFacts(ctx, shop.ID, since)
	if err != nil {
		return nil, err
	}
	var days []int
	for _, f := range facts {
		if f.Kind == shian.KindReport {
			v.Reports++
		} else {
			v.Complaints++
		}
		if f.DecisionWDays >= 0 {
			days = append(days, f.DecisionWDays)
		}
		if f.Substantiated {
			v.Substantiated++
			v.SubstantiatedCases = append(v.SubstantiatedCases, f)
		}
	}
	v.MedianDecisionWDays = median(days)
	records, err := t.Store.ShopRecords(ctx, shop.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		if r.RectifyDue.IsZero() || r.SupersededBy != 0 || r.Date.Before(since) {
			continue
		}
		end := time.Date(r.RectifyDue.Year(), r.RectifyDue.Month(), r.RectifyDue.Day(), 23, 59, 59, 0, shian.CST)
		v.Orders = append(v.Orders, shian.OrderOutcome{Ordered: r.Date, Due: r.RectifyDue, Met: r.RectifyMet,
			Overdue: r.RectifyMet == nil && now.After(end)})
	}
	if v.Decisions, err = t.Store.ShopDecisions(ctx, shop.ID, since); err != nil {
		return nil, err
	}
	return v, nil
}

func median(xs []int) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := float64(xs[len(xs)/2])
	if len(xs)%2 == 0 {
		m = float64(xs[len(xs)/2-1]+xs[len(xs)/2]) / 2
	}
	return &m
}

// RecordDecision records a decision entered in the console. Errors:
// EINVALID, EFORBIDDEN (a shop outside the officer's district), EUNAVAILABLE.
func (t *Transparency) RecordDecision(ctx context.Context, sc Scope, d *shian.EnforcementDecision) error {
	if err := d.Validate(t.Now()); err != nil {
		return err
	}
	if d.Licence != "" {
		shop, err := t.Store.ShopByLicence(ctx, d.Licence)
		if err != nil {
			return err
		}
		if !sc.Covers(shop.District, shop.Grid) {
			return &shian.Error{Code: shian.EFORBIDDEN, Field: "licence", Key: "inspection_outside_scope", Message: "the shop is outside your district"}
		}
	} else if !sc.Admin {
		return &shian.Error{Code: shian.EINVALID, Field: "licence", Message: "name the shop's licence (only an admin records a decision about a party without one)"}
	}
	d.Source, d.RecordedBy = "console", sc.Officer
	_, err := t.Store.SaveDecisions(ctx, []*shian.EnforcementDecision{d}, []staff.AuditEntry{{At: staff.AuditTime(t.Now()),
		Actor: sc.Officer, Action: "enforcement_decision", Target: d.Number}})
	return err
}

// decisionLine is one line of the decisions JSONL file (docs/data-contract.md#enforcement-decisions-jsonl).
type decisionLine struct {
	Number      string   `json:"number"`
	DecidedOn   string   `json:"decided_on"`
	PublishedOn string   `json:"published_on"`
	Licence     string   `json:"licence"`
	PartyName   string   `json:"party_name"`
	CreditCode  string   `json:"credit_code"`
	Violation   string   `json:"violation"`
	LegalBasis  string   `json:"legal_basis"`
	Penalties   []string `json:"penalties"`
	FineYuan    float64  `json:"fine_yuan"`
	Authority   string   `json:"authority"`
}

// LineError is a bad line of a decisions file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ParseDecisions reads a decisions JSONL file (one decision per line,
// UTF-8, unknown fields refused) and returns the decisions and every bad
// line. now bounds the dates.
func ParseDecisions(r io.Reader, now time.Time) ([]*shian.EnforcementDecision, []error, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []*shian.EnforcementDecision
	var bad []error
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(bytes.TrimPrefix(sc.Bytes(), []byte("\xef\xbb\xbf")))
		if len(line) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			bad = append(bad, &LineError{n, shian.Errorf(shian.EINVALID, "not valid UTF-8")})
			continue
		}
		var l decisionLine
		if err := shian.DecodeStrict(line, &l); err != nil {
			bad = append(bad, &LineError{n, err})
			continue
		}
		d := &shian.EnforcementDecision{Number: l.Number, Licence: strings.ToUpper(strings.TrimSpace(l.Licence)), PartyName: l.PartyName,
			CreditCode: l.CreditCode, Violation: l.Violation, LegalBasis: l.LegalBasis, Penalties: l.Penalties, FineYuan: l.FineYuan,
			Authority: l.Authority, Source: "import"}
		var err error
		if d.DecidedOn, err = shian.ParseDate(l.DecidedOn); err != nil {
			bad = append(bad, &LineError{n, shian.FieldError("decided_on", "must be a date YYYY-MM-DD")})
			continue
		}
		if d.PublishedOn, err = shian.ParseDate(l.PublishedOn); err != nil {
			bad = append(bad, &LineError{n, shian.FieldError("published_on", "must be a date YYYY-MM-DD")})
			continue
		}
		if err := d.Validate(now); err != nil {
			bad = append(bad, &LineError{n, err})
			continue
		}
		if first, dup := seen[d.Number]; dup {
			bad = append(bad, &LineError{n, shian.FieldError("number", "decision %s appears twice, first on line %d", d.Number, first)})
			continue
		}
		seen[d.Number] = n
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, shian.Errorf(shian.EINVALID, "reading the file: %v", err)
	}
	return out, bad, nil
}

// ImportDecisions imports a decisions JSONL file: all or nothing, every
// bad line reported. Errors: EINVALID (with the bad lines), EUNAVAILABLE.
func (t *Transparency) ImportDecisions(ctx context.Context, r io.Reader, actor string) (shian.ImportStats, []error, error) {
	ds, bad, err := ParseDecisions(r, t.Now())
	if err != nil {
		return shian.ImportStats{}, nil, err
	}
	if len(bad) > 0 {
		return shian.ImportStats{}, bad, shian.Errorf(shian.EINVALID, "%d bad lines; nothing imported", len(bad))
	}
	st, err := t.Store.SaveDecisions(ctx, ds, []staff.AuditEntry{{At: staff.AuditTime(t.Now()), Actor: actor, Action: "import_decisions",
		Detail: fmt.Sprintf("decisions=%d", len(ds))}})
	return st, nil, err
}

// AttachReply attaches the shop's written response to a substantiated
// complaint about it (the right to reply). Errors: EINVALID (empty or too
// long, a complaint not substantiated or not about a known shop),
// ENOTFOUND (no case in the officer's scope), ECONFLICT (a reply exists).
func (t *Transparency) AttachReply(ctx context.Context, sc Scope, ticket, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > 2000 || !utf8.ValidString(text) {
		return shian.FieldError("text", "the shop's reply must be 1–2000 characters")
	}
	tk, ok := shian.ParseTicket(ticket)
	if !ok {
		return shian.Errorf(shian.ENOTFOUND, "no complaint has ticket %s", ticket)
	}
	c, err := t.Store.Case(ctx, tk)
	if err != nil {
		return err
	}
	if !sc.Covers(c.District, c.Grid) {
		return shian.Errorf(shian.ENOTFOUND, "no complaint has ticket %s", tk)
	}
	if c.ShopID == 0 {
		return shian.FieldError("ticket", "the complaint is not about a known shop")
	}
	facts, err := t.Store.ShopCaseFacts(ctx, c.ShopID, c.CreatedAt.Add(-time.Second))
	if err != nil {
		return err
	}
	for _, f := range facts {
		if f.ComplaintID == c.ID && f.Substantiated {
			now := t.Now()
			return t.Store.AttachReply(ctx, c.ID, c.ShopID, shian.ShopReply{Text: text, AttachedBy: sc.Officer, At: now},
				[]staff.AuditEntry{{At: staff.AuditTime(now), Actor: sc.Officer, Action: "shop_reply", Target: tk}})
		}
	}
	return shian.FieldError("ticket", "only a substantiated complaint takes the shop's reply")
}
