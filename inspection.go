package shian

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// EventVerified is the public timeline event of an on-site check linked to
// a case: its note is the Finding, in the complainant's language.
const EventVerified = "verified"

// Inspection types an officer records (docs/inspections.md).
const (
	InspectionRoutine      = "routine"                // 日常监督检查, the national catering checklist
	InspectionFollowUp     = "follow_up"              // 复查 after an order to rectify
	InspectionVerification = "complaint_verification" // 投诉举报核查, linked to a case
	InspectionPatrol       = "patrol"                 // 巡查 by a grid officer: the short form
)

// InspectionTypes lists the types, for validation messages.
var InspectionTypes = []string{InspectionRoutine, InspectionFollowUp, InspectionVerification, InspectionPatrol}

// Item results of the national checklist, and the overall result.
const (
	ItemCompliant    = "compliant"     // 符合
	ItemMostly       = "mostly"        // 基本符合
	ItemNonCompliant = "non_compliant" // 不符合
)

// ItemResultNames are the checklist words in the three languages.
var ItemResultNames = map[string]Names{
	ItemCompliant:    {"符合", "compliant", "соответствует"},
	ItemMostly:       {"基本符合", "mostly compliant", "в основном соответствует"},
	ItemNonCompliant: {"不符合", "non-compliant", "не соответствует"},
}

// PatrolItems are the five checks of a grid patrol's short form, built in
// (not from the catalog): every patrol answers all five.
var PatrolItems = []CatalogItem{
	{Code: "patrol.licence", Names: Names{"亮证经营", "Licence displayed", "Лицензия вывешена"}},
	{Code: "patrol.grade_sign", Names: Names{"公示量化等级", "Grade sign displayed", "Знак рейтинга вывешен"}},
	{Code: "patrol.open_kitchen", Names: Names{"明厨亮灶", "Open kitchen", "Открытая кухня"}},
	{Code: "patrol.health_certs", Names: Names{"从业人员健康证明", "Staff health certificates", "Медицинские книжки персонала"}},
	{Code: "patrol.waste", Names: Names{"餐厨废弃物处置", "Kitchen waste handling", "Утилизация пищевых отходов"}},
}

// CatalogItem is one entry of the inspection item catalog (the national
// catering checklist): Key marks a 关键项, whose 不符合 fails the inspection.
type CatalogItem struct {
	Code  string
	Names Names
	Key   bool
}

// InspectionItem is one checklist item as found.
type InspectionItem struct {
	Code   string `json:"code"`
	Result string `json:"result"` // compliant, mostly, non_compliant
	Note   string `json:"note,omitempty"`
	Key    bool   `json:"key,omitempty"` // from the catalog, not from the client
}

// OverallResult is the checklist rule: 不符合 if any key item is 不符合;
// else 基本符合 if any item is not 符合; else 符合.
func OverallResult(items []InspectionItem) string {
	overall := ItemCompliant
	for _, it := range items {
		switch {
		case it.Key && it.Result == ItemNonCompliant:
			return ItemNonCompliant
		case it.Result != ItemCompliant:
			overall = ItemMostly
		}
	}
	return overall
}

// InspectionInput is what an officer's form or the API submits.
type InspectionInput struct {
	// DraftKey is the client's key of the form's draft (1–64 printable
	// characters): submitting the same draft again returns the first record.
	DraftKey   string
	Licence    string
	Type       string
	Date       time.Time // the day of the visit (midnight UTC, as every domain date)
	Inspectors []string  // exactly two: 双人检查
	Items      []InspectionItem
	Score      *float64 // optional 0–100; when given it decides the grade by the cut-offs
	// RectifyDays, when > 0, is an order to rectify (责令整改) with a
	// deadline that many working days after Date; a follow-up falls due then.
	RectifyDays int
	// FollowUpOf is the record whose order a follow-up checks (follow_up only).
	FollowUpOf int64
	// CaseTicket links a complaint verification to its case.
	CaseTicket string
	Notes      string // internal: never shown to the public or the complainant
	Photos     [][]byte
	// Supersedes and SupersedeReason correct a record entered by mistake.
	Supersedes      int64
	SupersedeReason string
}

// Limits of an inspection record.
const (
	MaxInspectionItems  = 200
	MaxInspectionPhotos = 10
	MaxRectifyDays      = 90
)

// Validate checks the input's shape (not the catalog, the scope or the
// store) at now. It trims text and returns an EINVALID *Error naming the
// first bad field, with a message key the api translates.
func (in *InspectionInput) Validate(now time.Time) error {
	in.DraftKey = strings.TrimSpace(in.DraftKey)
	in.Licence = strings.ToUpper(strings.TrimSpace(in.Licence))
	in.Notes = strings.TrimSpace(in.Notes)
	in.SupersedeReason = strings.TrimSpace(in.SupersedeReason)
	today := dateOf(now)
	switch {
	case in.DraftKey == "" || len(in.DraftKey) > 64 || strings.ContainsFunc(in.DraftKey, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		return inspectionError("draft_key", "bad_draft_key", "must be 1–64 printable ASCII characters")
	case !ValidLicence(in.Licence):
		return inspectionError("licence", "bad_licence", "must be 6–32 upper-case letters or digits")
	case !containsString(InspectionTypes, in.Type):
		return inspectionError("type", "bad_type", "must be one of: %s", strings.Join(InspectionTypes, ", "))
	case in.Date.IsZero():
		return inspectionError("date", "date_required", "is required")
	case in.Date.After(today):
		return inspectionError("date", "future_date", "%s is in the future", in.Date.Format(DateLayout))
	case in.Date.Before(today.AddDate(-1, 0, 0)):
		return inspectionError("date", "old_date", "%s is more than a year ago", in.Date.Format(DateLayout))
	case in.Score != nil && !(*in.Score >= 0 && *in.Score <= 100):
		return inspectionError("score", "bad_score", "must be 0–100")
	case in.RectifyDays < 0 || in.RectifyDays > MaxRectifyDays:
		return inspectionError("rectify_days", "bad_rectify_days", "must be 0–%d working days", MaxRectifyDays)
	case in.Type == InspectionFollowUp && in.FollowUpOf == 0:
		return inspectionError("follow_up_of", "follow_up_needs_order", "a follow-up names the inspection whose order it checks")
	case in.Type != InspectionFollowUp && in.FollowUpOf != 0:
		return inspectionError("follow_up_of", "not_follow_up", "only a follow-up checks an earlier order")
	case in.Type == InspectionVerification && in.CaseTicket == "":
		return inspectionError("case", "verification_needs_case", "a complaint verification names its case's ticket")
	case in.Type != InspectionVerification && in.CaseTicket != "":
		return inspectionError("case", "not_verification", "only a complaint verification is linked to a case")
	case in.Type == InspectionPatrol && (in.Score != nil || in.RectifyDays > 0):
		return inspectionError("type", "patrol_short_form", "a patrol has no score and no order to rectify; record an inspection for those")
	case utf8.RuneCountInString(in.Notes) > 4000:
		return inspectionError("notes", "too_long", "is longer than 4000 characters")
	case len(in.Photos) > MaxInspectionPhotos:
		return inspectionError("photos", "too_many_photos", "at most %d photos", MaxInspectionPhotos)
	case in.Supersedes != 0 && in.SupersedeReason == "":
		return inspectionError("supersede_reason", "reason_required", "correcting a record needs a reason")
	case utf8.RuneCountInString(in.SupersedeReason) > 500:
		return inspectionError("supersede_reason", "too_long", "is longer than 500 characters")
	}
	if err := in.validateInspectors(); err != nil {
		return err
	}
	if len(in.Items) == 0 {
		return inspectionError("items", "no_items", "at least one checklist item is required")
	}
	if len(in.Items) > MaxInspectionItems {
		return inspectionError("items", "too_many_items", "at most %d items", MaxInspectionItems)
	}
	seen := map[string]bool{}
	for i := range in.Items {
		it := &in.Items[i]
		it.Code, it.Note = strings.TrimSpace(it.Code), strings.TrimSpace(it.Note)
		field := fieldIndex("items", i, "")
		switch {
		case seen[it.Code]:
			return inspectionError(field+".code", "duplicate_item", "item %q appears twice", Clip(it.Code, 40))
		case it.Result != ItemCompliant && it.Result != ItemMostly && it.Result != ItemNonCompliant:
			return inspectionError(field+".result", "bad_item_result", "must be compliant (符合), mostly (基本符合) or non_compliant (不符合)")
		case utf8.RuneCountInString(it.Note) > 1000:
			return inspectionError(field+".note", "too_long", "is longer than 1000 characters")
		}
		seen[it.Code] = true
	}
	if in.Type == InspectionPatrol {
		for _, p := range PatrolItems {
			if !seen[p.Code] {
				return inspectionError("items", "patrol_short_form", "a patrol answers the five checks (%s); %s is missing", patrolCodes(), p.Code)
			}
		}
		if len(in.Items) != len(PatrolItems) {
			return inspectionError("items", "patrol_short_form", "a patrol answers exactly the five checks (%s)", patrolCodes())
		}
	}
	return nil
}

func (in *InspectionInput) validateInspectors() error {
	if len(in.Inspectors) != 2 {
		return inspectionError("inspectors", "two_inspectors", "an inspection is done by two officers (双人检查), got %d", len(in.Inspectors))
	}
	for i := range in.Inspectors {
		in.Inspectors[i] = strings.TrimSpace(in.Inspectors[i])
		if in.Inspectors[i] == "" || utf8.RuneCountInString(in.Inspectors[i]) > 64 {
			return inspectionError(fieldIndex("inspectors", i, ""), "two_inspectors", "must be a name of 1–64 characters")
		}
	}
	if in.Inspectors[0] == in.Inspectors[1] {
		return inspectionError("inspectors", "two_inspectors", "the two inspectors must be two different officers")
	}
	return nil
}

func patrolCodes() string {
	codes := make([]string, len(PatrolItems))
	for i, p := range PatrolItems {
		codes[i] = p.Code
	}
	return strings.Join(codes, ", ")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func inspectionError(field, key, format string, args ...any) *Error {
	e := FieldError(field, format, args...)
	e.Key = "inspection_" + key
	return e
}

// Fingerprint identifies the submitted content of a draft (not its
// photos' bytes, which are re-encoded): the same draft resubmitted has the
// same fingerprint, a key reused for another inspection does not.
func (in *InspectionInput) Fingerprint() string {
	b, _ := json.Marshal(struct {
		L, T, D, C, N, R string
		I                []string
		It               []InspectionItem
		S                *float64
		RD               int
		F, Sup           int64
		P                int
	}{in.Licence, in.Type, in.Date.Format(DateLayout), in.CaseTicket, in.Notes, in.SupersedeReason,
		in.Inspectors, in.Items, in.Score, in.RectifyDays, in.FollowUpOf, in.Supersedes, len(in.Photos)})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// DateOf is the calendar day of t in China Standard Time, as midnight UTC
// (the representation of every date in the domain).
func DateOf(t time.Time) time.Time { return dateOf(t) }

// InspectionRecord is an officer's inspection as stored.
type InspectionRecord struct {
	ID         int64
	ShopID     int64
	Licence    string
	Type       string
	Date       time.Time
	Inspectors []string
	Items      []InspectionItem
	Overall    string   // compliant, mostly, non_compliant
	Score      *float64 // as given
	// Result is the dynamic grade it gives (excellent, good, fair, fail);
	// "" for a patrol, which does not grade.
	Result      string
	RectifyDays int
	RectifyDue  time.Time // zero without an order
	// RectifyMet is nil while the order runs (or without one), then whether
	// the follow-up MetBy found it met by the deadline.
	RectifyMet   *bool
	RectifyMetBy int64
	FollowUpOf   int64
	CaseID       int64
	CaseTicket   string
	PlanID       int64
	Photos       []ComplaintPhoto // stored as complaint photos are: re-encoded, no EXIF
	Notes        string           // internal
	District     string
	Grid         string
	RecordedBy   string
	// Supersedes is the record this one corrects, with the reason;
	// SupersededBy is set on the corrected one. Nothing is deleted.
	Supersedes      int64
	SupersedeReason string
	SupersededBy    int64
	DraftKey        string
	DraftHash       string
	CreatedAt       time.Time
}

// FailedItems lists the codes of the items not found compliant, the
// shop's public history (Inspection.ItemsFailed).
func (r *InspectionRecord) FailedItems() []string {
	out := []string{}
	for _, it := range r.Items {
		if it.Result != ItemCompliant {
			out = append(out, it.Code)
		}
	}
	return out
}

// PublicInspection is the row of the shop's public history the record gives.
func (r *InspectionRecord) PublicInspection() Inspection {
	failed := r.FailedItems()
	return Inspection{Date: r.Date, Result: r.Result, Score: r.Score, ItemsFailed: failed, ItemCodes: failed,
		Inspector: strings.Join(r.Inspectors, "、")}
}

// GradeRules maps an inspection's overall result to the dynamic grade (a
// data file the city edits; docs/inspections.md). A numeric score, where
// given, keeps the cut-offs of docs/grades.md instead.
type GradeRules struct {
	Compliant         string `json:"compliant"`
	Mostly            string `json:"mostly"`
	MostlyWithRectify string `json:"mostly_with_rectify"`
	NonCompliant      string `json:"non_compliant"`
}

// DefaultGradeRules: 符合 → excellent; 基本符合 → good; 基本符合 with an
// order to rectify → fair; 不符合 → fail.
var DefaultGradeRules = GradeRules{Compliant: ResultExcellent, Mostly: ResultGood, MostlyWithRectify: ResultFair, NonCompliant: ResultFail}

// Validate checks that every rule names a result.
func (g GradeRules) Validate() error {
	for field, v := range map[string]string{"compliant": g.Compliant, "mostly": g.Mostly, "mostly_with_rectify": g.MostlyWithRectify, "non_compliant": g.NonCompliant} {
		switch v {
		case ResultExcellent, ResultGood, ResultFair, ResultFail:
		default:
			return FieldError(field, "must be excellent, good, fair or fail, got %q", Clip(v, 40))
		}
	}
	return nil
}

// Result is the dynamic grade of an inspection with overall result
// overall, an optional score and whether it ordered rectification.
func (g GradeRules) Result(overall string, score *float64, rectify bool) string {
	if score != nil {
		return ResultForScore(*score)
	}
	switch overall {
	case ItemCompliant:
		return g.Compliant
	case ItemMostly:
		if rectify {
			return g.MostlyWithRectify
		}
		return g.Mostly
	}
	return g.NonCompliant
}

// Finding is the public sentence a complainant's timeline shows for an
// on-site check: the overall result and the items not found compliant, in
// lang, from the catalog's names; never the officers' notes.
func Finding(lang string, date time.Time, overall string, failed []CatalogItem) string {
	d := date.Format(DateLayout)
	var b strings.Builder
	switch lang {
	case "en":
		b.WriteString("On-site check on " + d + ": " + ItemResultNames[overall].In("en"))
		if len(failed) > 0 {
			b.WriteString(". Problems found: ")
		}
	case "ru":
		b.WriteString("Проверка на месте " + d + ": " + ItemResultNames[overall].In("ru"))
		if len(failed) > 0 {
			b.WriteString(". Выявлены нарушения: ")
		}
	default:
		b.WriteString("现场核查（" + d + "）：" + ItemResultNames[overall].In("zh"))
		if len(failed) > 0 {
			b.WriteString("。发现问题：")
		}
	}
	sep := "; "
	if lang != "en" && lang != "ru" {
		sep = "；"
	}
	for i, it := range failed {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it.Names.In(lang))
	}
	if lang == "en" || lang == "ru" {
		b.WriteString(".")
	} else {
		b.WriteString("。")
	}
	return b.String()
}
