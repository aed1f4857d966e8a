package inspections

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	_ "embed"

	"shian"
)

// 双随机 plans (docs/inspections.md#plans): for a district and a month, the
// shops to inspect and the inspector pairs are drawn at random, weighted by
// risk, from a seed recorded before the draw. The draw is a pure function of
// its inputs and the seed, so Verify recomputes it exactly.

//go:embed data/plan_weights.json
var defaultPlanWeights []byte

// PlanWeights is the risk model and the draw's constraints (a data file).
type PlanWeights struct {
	Base float64 `json:"base"` // every shop's risk starts here, so that nobody is never drawn
	// PerComplaint90d is added per complaint or report in the last 90 days, up to MaxComplaints.
	PerComplaint90d float64 `json:"per_complaint_90d"`
	MaxComplaints   int     `json:"max_complaints"`
	// Grade is added by the shop's last dynamic grade (excellent … fail, not_graded).
	Grade map[string]float64 `json:"grade"`
	// Category is added by shop category (school_canteen, online …).
	Category map[string]float64 `json:"category"`
	// SeafoodSummer is added for a shop selling seafood in SummerMonths.
	SeafoodSummer float64 `json:"seafood_summer"`
	SummerMonths  []int   `json:"summer_months"`
	// PerMonthSinceInspection is added per month since the last inspection, up to MaxMonths (never inspected: MaxMonths).
	PerMonthSinceInspection float64 `json:"per_month_since_inspection"`
	MaxMonths               float64 `json:"max_months"`
	// LowRiskBelow: a shop whose risk is below it is low-risk; at least
	// LowRiskShare of a plan's shops are drawn from them.
	LowRiskBelow float64 `json:"low_risk_below"`
	LowRiskShare float64 `json:"low_risk_share"`
}

// ParsePlanWeights reads a plan weights data file. Errors: EINVALID.
func ParsePlanWeights(b []byte) (PlanWeights, error) {
	var w PlanWeights
	if err := shian.DecodeStrict(b, &w); err != nil {
		return w, err
	}
	if w.Base <= 0 || w.LowRiskShare < 0 || w.LowRiskShare > 1 || w.MaxMonths < 0 || w.MaxComplaints < 0 {
		return w, shian.Errorf(shian.EINVALID, "plan weights: base must be > 0, low_risk_share 0–1, maxima ≥ 0")
	}
	return w, nil
}

// DefaultPlanWeights returns the shipped weights (data/plan_weights.json).
func DefaultPlanWeights() PlanWeights {
	w, err := ParsePlanWeights(defaultPlanWeights)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return w
}

// PlanShop is what the draw knows of a shop.
type PlanShop struct {
	ID           int64   `json:"id"`
	Licence      string  `json:"licence"`
	Grid         string  `json:"grid"`
	Category     string  `json:"category"`
	Seafood      bool    `json:"seafood,omitempty"`
	Complaints90 int     `json:"complaints_90d,omitempty"`
	LastGrade    string  `json:"last_grade"`
	MonthsSince  float64 `json:"months_since"` // since the last inspection; negative: never inspected
}

// PlanInspector is an officer who may be drawn, with their own grid cell.
type PlanInspector struct {
	Name string `json:"name"`
	Grid string `json:"grid"`
}

// PlanInputs is everything a draw depends on, stored with the plan.
type PlanInputs struct {
	District   string          `json:"district"`
	Month      string          `json:"month"` // YYYY-MM
	Size       int             `json:"size"`
	Shops      []PlanShop      `json:"shops"`
	Inspectors []PlanInspector `json:"inspectors"`
	// PreviousPairs are the pairs of the district's previous plan: no pair twice in a row.
	PreviousPairs [][2]string `json:"previous_pairs"`
	Weights       PlanWeights `json:"weights"`
}

// Hash fingerprints the inputs (published with the plan).
func (in *PlanInputs) Hash() string {
	b, _ := json.Marshal(in)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// PlanItem is one drawn inspection.
type PlanItem struct {
	ShopID     int64     `json:"shop_id"`
	Licence    string    `json:"licence"`
	Risk       float64   `json:"risk"`
	LowRisk    bool      `json:"low_risk"`
	Inspectors [2]string `json:"inspectors"`
}

// Risk is a shop's risk score in month (1–12).
func (w *PlanWeights) Risk(s *PlanShop, month int) float64 {
	r := w.Base + w.PerComplaint90d*float64(min(s.Complaints90, w.MaxComplaints)) + w.Grade[s.LastGrade] + w.Category[s.Category]
	if s.Seafood && slices.Contains(w.SummerMonths, month) {
		r += w.SeafoodSummer
	}
	months := s.MonthsSince
	if months < 0 || months > w.MaxMonths {
		months = w.MaxMonths
	}
	return r + w.PerMonthSinceInspection*months
}

func planError(format string, args ...any) error {
	return &shian.Error{Code: shian.EINVALID, Key: "plan_invalid", Message: fmt.Sprintf(format, args...)}
}

// Draw draws the plan from inputs and seed (32 bytes). Shops are drawn
// without replacement with probability proportional to risk
// (Efraimidis–Spirakis keys), at least LowRiskShare of them from the
// low-risk shops; each gets two inspectors, neither from the shop's own
// grid cell, and not a pair of the previous plan. Errors: EINVALID.
func Draw(in *PlanInputs, seed []byte) ([]PlanItem, error) {
	if len(seed) != 32 {
		return nil, planError("the seed must be 32 bytes")
	}
	month, err := planMonth(in.Month)
	if err != nil {
		return nil, err
	}
	if in.Size <= 0 || in.Size > len(in.Shops) {
		return nil, planError("a plan of %d shops from %d shops", in.Size, len(in.Shops))
	}
	if len(in.Inspectors) < 2 {
		return nil, planError("a plan needs at least two inspectors, the district has %d", len(in.Inspectors))
	}
	rng := rand.New(rand.NewChaCha8([32]byte(seed)))
	shops := slices.Clone(in.Shops)
	sort.Slice(shops, func(i, j int) bool { return shops[i].ID < shops[j].ID })
	type keyed struct {
		key  float64
		i    int
		risk float64
	}
	var low, high []keyed
	for i := range shops {
		r := in.Weights.Risk(&shops[i], month)
		// log(u)/w ranks like u^(1/w); larger is drawn first.
		k := keyed{key: math.Log(1-rng.Float64()) / r, i: i, risk: r}
		if r < in.Weights.LowRiskBelow {
			low = append(low, k)
		} else {
			high = append(high, k)
		}
	}
	byKey := func(ks []keyed) {
		sort.Slice(ks, func(a, b int) bool {
			if ks[a].key != ks[b].key {
				return ks[a].key > ks[b].key
			}
			return ks[a].i < ks[b].i
		})
	}
	byKey(low)
	nLow := min(int(math.Ceil(in.Weights.LowRiskShare*float64(in.Size))), len(low))
	chosen := slices.Clone(low[:nLow])
	rest := append(slices.Clone(low[nLow:]), high...)
	byKey(rest)
	chosen = append(chosen, rest[:in.Size-nLow]...)
	prev := map[string]bool{}
	for _, p := range in.PreviousPairs {
		prev[pairKey(p[0], p[1])] = true
	}
	out := make([]PlanItem, len(chosen))
	order := make([]int, len(in.Inspectors))
	for n, k := range chosen {
		s := &shops[k.i]
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		pair, ok := pickPair(in.Inspectors, order, s.Grid, prev)
		if !ok {
			return nil, planError("no two inspectors from outside grid %s who were not a pair last time, for shop %s", s.Grid, s.Licence)
		}
		out[n] = PlanItem{ShopID: s.ID, Licence: s.Licence, Risk: k.risk, LowRisk: k.risk < in.Weights.LowRiskBelow, Inspectors: pair}
	}
	return out, nil
}

func pickPair(ins []PlanInspector, order []int, grid string, prev map[string]bool) ([2]string, bool) {
	for a := 0; a < len(order); a++ {
		x := ins[order[a]]
		if x.Grid == grid && grid != "" {
			continue
		}
		for b := a + 1; b < len(order); b++ {
			y := ins[order[b]]
			if (y.Grid == grid && grid != "") || prev[pairKey(x.Name, y.Name)] {
				continue
			}
			return [2]string{x.Name, y.Name}, true
		}
	}
	return [2]string{}, false
}

func pairKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + "\x00" + b
}

func planMonth(m string) (int, error) {
	var y, mo int
	if _, err := fmt.Sscanf(m, "%4d-%2d", &y, &mo); err != nil || len(m) != 7 || mo < 1 || mo > 12 || y < 2000 {
		return 0, planError("month must be YYYY-MM, got %q", m)
	}
	return mo, nil
}

// VerifyPlan recomputes a plan from its inputs and seed and reports
// whether it is the one recorded. Errors: ECONFLICT naming the first
// difference.
func VerifyPlan(in *PlanInputs, seed []byte, recorded []PlanItem) error {
	again, err := Draw(in, seed)
	if err != nil {
		return err
	}
	if len(again) != len(recorded) {
		return shian.Errorf(shian.ECONFLICT, "the plan has %d items, the draw gives %d", len(recorded), len(again))
	}
	for i := range again {
		a, r := again[i], recorded[i]
		if a.ShopID != r.ShopID || a.Inspectors != r.Inspectors {
			return shian.Errorf(shian.ECONFLICT, "item %d: the plan has shop %s with %s, the draw gives shop %s with %s",
				i+1, r.Licence, strings.Join(r.Inspectors[:], "+"), a.Licence, strings.Join(a.Inspectors[:], "+"))
		}
	}
	return nil
}

// Plan statuses.
const (
	PlanSeeded    = "seeded"
	PlanDrawn     = "drawn"
	PlanPublished = "published"
)

// Plan is a district's plan for a month as stored.
type Plan struct {
	ID         int64
	District   string
	Month      string
	Seed       string // hex, recorded before the draw
	Status     string
	InputsHash string
	Inputs     *PlanInputs // nil until drawn
	Items      []PlanItem
	CreatedBy  string
}

// PlanStore keeps plans (store/sqlstore implements it).
type PlanStore interface {
	// CreatePlan records a new plan with its seed, status seeded. Errors:
	// ECONFLICT when the district has a plan for the month.
	CreatePlan(ctx context.Context, p *Plan) error
	// Plan returns the district's plan for month, with inputs and items. Errors: ENOTFOUND.
	Plan(ctx context.Context, district, month string) (*Plan, error)
	// SaveDraw stores a seeded plan's inputs and items (status drawn).
	// Errors: ECONFLICT when it is not seeded any more.
	SaveDraw(ctx context.Context, p *Plan) error
	// PublishPlan marks a drawn plan published. Errors: ECONFLICT.
	PublishPlan(ctx context.Context, id int64) error
	// PlanCandidates returns the district's open shops with their risk
	// facts as of now, and its active officers.
	PlanCandidates(ctx context.Context, district string, now time.Time) ([]PlanShop, []PlanInspector, error)
}

// Plans runs 双随机 plans. Safe for concurrent use.
type Plans struct {
	Store   PlanStore
	Weights PlanWeights
	Now     func() time.Time
}

func (ps *Plans) scope(sc Scope, district string) error {
	if !sc.Admin && (sc.District != district || sc.Grid != "") {
		return &shian.Error{Code: shian.EFORBIDDEN, Key: "plan_forbidden", Message: "only the district's office or an admin plans its inspections"}
	}
	return nil
}

// Seed records a fresh random seed for district and month before anything
// is drawn: whoever draws later cannot choose the seed. Errors: EINVALID,
// EFORBIDDEN, ECONFLICT (the month has a plan: published months are final).
func (ps *Plans) Seed(ctx context.Context, sc Scope, district, month string) (*Plan, error) {
	if err := ps.scope(sc, district); err != nil {
		return nil, err
	}
	if _, ok := shian.LookupCode(shian.Districts, district); !ok {
		return nil, planError("unknown district %q", district)
	}
	if _, err := planMonth(month); err != nil {
		return nil, err
	}
	if old, err := ps.Store.Plan(ctx, district, month); err == nil {
		if old.Status == PlanPublished {
			return nil, &shian.Error{Code: shian.ECONFLICT, Key: "plan_published", Message: "the plan for " + district + " " + month + " is already published"}
		}
		return nil, &shian.Error{Code: shian.ECONFLICT, Key: "plan_exists", Message: "the plan for " + district + " " + month + " already has its seed"}
	} else if shian.ErrorCode(err) != shian.ENOTFOUND {
		return nil, err
	}
	var b [32]byte
	if _, err := crand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("plan seed: %w", err)
	}
	p := &Plan{District: district, Month: month, Seed: hex.EncodeToString(b[:]), Status: PlanSeeded, CreatedBy: sc.Officer}
	if err := ps.Store.CreatePlan(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Draw draws the seeded plan of district and month with size shops, from
// the store's current facts, and stores inputs and result. Errors:
// EFORBIDDEN, ENOTFOUND (no seed), ECONFLICT (drawn or published), EINVALID.
func (ps *Plans) Draw(ctx context.Context, sc Scope, district, month string, size int) (*Plan, error) {
	if err := ps.scope(sc, district); err != nil {
		return nil, err
	}
	p, err := ps.Store.Plan(ctx, district, month)
	if err != nil {
		return nil, err
	}
	if p.Status != PlanSeeded {
		return nil, &shian.Error{Code: shian.ECONFLICT, Key: "plan_" + p.Status, Message: "the plan for " + district + " " + month + " is already " + p.Status}
	}
	shops, officers, err := ps.Store.PlanCandidates(ctx, district, ps.Now())
	if err != nil {
		return nil, err
	}
	in := &PlanInputs{District: district, Month: month, Size: size, Shops: shops, Inspectors: officers, Weights: ps.Weights}
	if prev, err := ps.Store.Plan(ctx, district, previousMonth(month)); err == nil {
		for _, it := range prev.Items {
			in.PreviousPairs = append(in.PreviousPairs, it.Inspectors)
		}
	}
	seed, _ := hex.DecodeString(p.Seed)
	items, err := Draw(in, seed)
	if err != nil {
		return nil, err
	}
	p.Inputs, p.Items, p.InputsHash, p.Status = in, items, in.Hash(), PlanDrawn
	if err := ps.Store.SaveDraw(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Publish makes a drawn plan public and final (一公开). Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT.
func (ps *Plans) Publish(ctx context.Context, sc Scope, district, month string) error {
	if err := ps.scope(sc, district); err != nil {
		return err
	}
	p, err := ps.Store.Plan(ctx, district, month)
	if err != nil {
		return err
	}
	return ps.Store.PublishPlan(ctx, p.ID)
}

// Verify recomputes the stored plan of district and month from its stored
// inputs and seed (shian plan verify). Errors: ENOTFOUND, ECONFLICT (the
// plan differs from its draw, or its inputs from their hash).
func (ps *Plans) Verify(ctx context.Context, district, month string) error {
	p, err := ps.Store.Plan(ctx, district, month)
	if err != nil {
		return err
	}
	if p.Inputs == nil {
		return shian.Errorf(shian.ECONFLICT, "the plan for %s %s is not drawn yet", district, month)
	}
	if p.Inputs.Hash() != p.InputsHash {
		return shian.Errorf(shian.ECONFLICT, "the plan's stored inputs do not match their recorded hash")
	}
	seed, err := hex.DecodeString(p.Seed)
	if err != nil {
		return shian.Errorf(shian.ECONFLICT, "the plan's seed is not hex")
	}
	return VerifyPlan(p.Inputs, seed, p.Items)
}

func previousMonth(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}
