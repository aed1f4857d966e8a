package shian

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Shop is a licensed food business, keyed by its licence number.
type Shop struct {
	ID         int64
	Licence    string
	CreditCode string
	Name       string
	NameEN     string
	NameRU     string
	Aliases    []string
	Category   string
	Address    string
	District   string
	Grid       string
	// Lat and Lng are WGS-84 degrees; HasGeo says whether they are known.
	Lat, Lng   float64
	HasGeo     bool
	Phone      string
	Status     string
	LicensedOn time.Time // zero when unknown
	HACCP      bool
	// StickerVersion counts the door stickers issued; an older sticker is "outdated".
	StickerVersion int
	Inspections    []Inspection // newest first
	Annual         []AnnualGrade
	// Grade is the grade as computed by the store when it read the shop
	// (from the full history when it loaded it, else as of the last write).
	Grade     Grade
	UpdatedAt time.Time

	// AddressEN and AddressRU spell Address for visitors; Address stays the
	// registered Chinese, to show a taxi driver.
	AddressEN, AddressRU string
	// NameENGenerated and NameRUGenerated say that NameEN / NameRU were
	// written from the Chinese name by the names package (a supplied name
	// always wins), so that a page can say the name is a transcription.
	NameENGenerated, NameRUGenerated bool
}

// Inspection is one visit by the supervision authority.
type Inspection struct {
	Date        time.Time `json:"date"`
	Result      string    `json:"result"`          // excellent, good, fair, fail; derived from Score when empty on input
	Score       *float64  `json:"score,omitempty"` // 0–100, optional; decimals allowed (89.9)
	ItemsFailed []string  `json:"items_failed"`
	Notes       string    `json:"notes,omitempty"`
	Inspector   string    `json:"inspector,omitempty"`

	// ItemCodes are the inspection catalog codes of ItemsFailed, index by
	// index ("" where a finding matched no catalog item); nil when none
	// matched. The findings themselves stay as recorded.
	ItemCodes []string `json:"item_codes,omitempty"`
}

// AnnualGrade is an annual grade supplied by the authority for one year.
type AnnualGrade struct {
	Year  int
	Grade string // A, B or C
}

// Inspection results (dynamic grade faces).
const (
	ResultExcellent = "excellent"
	ResultGood      = "good"
	ResultFair      = "fair"
	ResultFail      = "fail"
)

// City bounding box (docs/data-contract.md): coordinates outside it are an input error.
const (
	MinLat, MaxLat = 39.3, 40.6
	MinLng, MaxLng = 118.5, 120.0
)

var licenceRE = regexp.MustCompile(`^[A-Z0-9]{6,32}$`)

// ValidLicence reports whether s has the shape of a licence number.
func ValidLicence(s string) bool { return licenceRE.MatchString(s) }

// InCity reports whether a point lies inside the city's bounding box.
func InCity(lat, lng float64) bool {
	return lat >= MinLat && lat <= MaxLat && lng >= MinLng && lng <= MaxLng
}

// Validate checks a shop against the import contract of docs/data-contract.md. now bounds
// dates (nothing may be dated in the future). It returns an EINVALID *Error
// naming the first offending field.
func (s *Shop) Validate(now time.Time) error {
	if !ValidLicence(s.Licence) {
		return FieldError("licence", "must be 6–32 upper-case letters or digits, got %q", Clip(s.Licence, 40))
	}
	if s.CreditCode != "" && utf8.RuneCountInString(s.CreditCode) != 18 {
		return FieldError("credit_code", "must be 18 characters")
	}
	if strings.TrimSpace(s.Name) == "" {
		return FieldError("name", "is required")
	}
	for field, v := range map[string]string{"name": s.Name, "name_en": s.NameEN, "name_ru": s.NameRU, "address": s.Address} {
		if utf8.RuneCountInString(v) > 200 {
			return FieldError(field, "is longer than 200 characters")
		}
	}
	if len(s.Aliases) > 20 {
		return FieldError("aliases", "has more than 20 entries")
	}
	if _, ok := LookupCode(ShopCategories, s.Category); !ok {
		return FieldError("category", "unknown category %q; allowed: %s", Clip(s.Category, 40), strings.Join(CodeList(ShopCategories), ", "))
	}
	if strings.TrimSpace(s.Address) == "" {
		return FieldError("address", "is required")
	}
	if _, ok := LookupCode(Districts, s.District); !ok {
		return FieldError("district", "unknown district %q; allowed: %s", Clip(s.District, 40), strings.Join(CodeList(Districts), ", "))
	}
	if s.HasGeo && !InCity(s.Lat, s.Lng) {
		return FieldError("lat", "point (%.5f, %.5f) is outside Qinhuangdao (%.1f–%.1f N, %.1f–%.1f E)", s.Lat, s.Lng, MinLat, MaxLat, MinLng, MaxLng)
	}
	switch s.Status {
	case StatusOpen, StatusSuspended, StatusClosed:
	default:
		return FieldError("status", "must be open, suspended or closed, got %q", Clip(s.Status, 40))
	}
	today := dateOf(now)
	if !s.LicensedOn.IsZero() && s.LicensedOn.After(today) {
		return FieldError("licensed_on", "%s is in the future", s.LicensedOn.Format(DateLayout))
	}
	for i := range s.Inspections {
		if err := s.Inspections[i].validate(today); err != nil {
			err.Field = fieldIndex("inspections", i, err.Field)
			return err
		}
	}
	years := map[int]bool{}
	for i, a := range s.Annual {
		switch {
		case a.Year < 2000 || a.Year > today.Year():
			return FieldError(fieldIndex("annual", i, "year"), "year %d is out of range", a.Year)
		case a.Grade != "A" && a.Grade != "B" && a.Grade != "C":
			return FieldError(fieldIndex("annual", i, "grade"), "must be A, B or C, got %q", Clip(a.Grade, 40))
		case years[a.Year]:
			return FieldError(fieldIndex("annual", i, "year"), "year %d appears twice", a.Year)
		}
		years[a.Year] = true
	}
	return nil
}

func (in *Inspection) validate(today time.Time) *Error {
	if in.Date.IsZero() {
		return FieldError("date", "is required")
	}
	if in.Date.After(today) {
		return FieldError("date", "%s is in the future", in.Date.Format(DateLayout))
	}
	if in.Score != nil && !(*in.Score >= 0 && *in.Score <= 100) { // NaN fails too
		return FieldError("score", "must be 0–100, got %s", FormatScore(*in.Score))
	}
	switch in.Result {
	case ResultExcellent, ResultGood, ResultFair, ResultFail:
	case "":
		if in.Score == nil {
			return FieldError("result", "result or score is required")
		}
		in.Result = ResultForScore(*in.Score)
	default:
		return FieldError("result", "must be excellent, good, fair or fail, got %q", Clip(in.Result, 40))
	}
	return nil
}

// FormatScore writes a score with as few decimals as it has (92, 89.9).
func FormatScore(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func fieldIndex(list string, i int, field string) string {
	s := list + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		s += "." + field
	}
	return s
}

// DateLayout is the date format of every import and API field.
const DateLayout = "2006-01-02"

// ParseDate parses a YYYY-MM-DD date as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	return time.Parse(DateLayout, s)
}

// dateOf truncates t to its calendar day in China Standard Time, as midnight UTC
// of that day, the representation of every date in the domain.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CST is China Standard Time (UTC+8, no daylight saving).
var CST = time.FixedZone("CST", 8*3600)

// ShopFilter selects shops for listing and export.
type ShopFilter struct {
	District string
	AfterID  int64 // keyset pagination
	Limit    int
}

// ImportStats counts what an import wrote.
type ImportStats struct {
	Created int
	Updated int
}

// ShopService is what the application needs from the system of record for shops.
type ShopService interface {
	// UpsertShops writes shops (with their inspections and annual grades,
	// replacing those stored) in one transaction, idempotent by licence,
	// together with one outbox row per shop. Errors: EINVALID, EINTERNAL.
	UpsertShops(ctx context.Context, shops []*Shop) (ImportStats, error)
	// ShopByLicence returns a shop with its inspections and annual grades.
	// Errors: ENOTFOUND.
	ShopByLicence(ctx context.Context, licence string) (*Shop, error)
	// ShopByID is as ShopByLicence, by internal id. Errors: ENOTFOUND.
	ShopByID(ctx context.Context, id int64) (*Shop, error)
	// ShopInspections pages through a shop's inspections, newest first,
	// and returns the total. Errors: ENOTFOUND.
	ShopInspections(ctx context.Context, licence string, offset, limit int) ([]Inspection, int, error)
	// ListShops returns shops in id order for export and reindexing.
	ListShops(ctx context.Context, f ShopFilter) ([]*Shop, error)
}

// DailyScans is one day's count of sticker scans for a shop.
type DailyScans struct {
	Day   string `json:"day"`
	Scans int    `json:"scans"`
}
