package shian

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Penalty kinds of an administrative penalty decision (行政处罚).
var PenaltyKinds = []string{"warning", "fine", "confiscation", "suspension", "revocation"}

// EnforcementDecision is a published administrative penalty notice
// (行政处罚信息公示, docs/data-contract.md#enforcement-decisions). It names the
// party by name and unified social credit code, never by a person's ID
// number.
type EnforcementDecision struct {
	ID          int64     `json:"-"`
	Number      string    `json:"number"` // 决定书文号
	DecidedOn   time.Time `json:"-"`
	PublishedOn time.Time `json:"-"`
	ShopID      int64     `json:"-"`
	Licence     string    `json:"licence,omitempty"`
	PartyName   string    `json:"party_name"`
	CreditCode  string    `json:"credit_code,omitempty"`
	Violation   string    `json:"violation"`   // in plain words
	LegalBasis  string    `json:"legal_basis"` // the articles applied
	Penalties   []string  `json:"penalties"`   // PenaltyKinds
	FineYuan    float64   `json:"fine_yuan,omitempty"`
	Authority   string    `json:"authority"`
	Source      string    `json:"-"` // console or import
	RecordedBy  string    `json:"-"`
}

// idNumberRE finds a resident ID number (18 characters, the last a digit or X).
var idNumberRE = regexp.MustCompile(`\d{17}[\dXx]`)

// containsIDNumber reports whether s holds a valid resident ID number
// (ISO 7064 MOD 11-2 check character), which a public notice never shows.
func containsIDNumber(s string) bool {
	for _, m := range idNumberRE.FindAllString(s, -1) {
		weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, w := range weights {
			sum += int(m[i]-'0') * w
		}
		if "10X98765432"[sum%11] == strings.ToUpper(m[17:])[0] {
			return true
		}
	}
	return false
}

// ValidCreditCode checks a unified social credit code (GB 32100-2015):
// 18 characters of 0-9 and A-Y without I, O, S, V, Z, the last a check
// character.
func ValidCreditCode(code string) bool {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(chars, code[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	check := (31 - sum%31) % 31
	return code[17] == chars[check]
}

// Validate checks a decision at now and trims its text. Errors: EINVALID
// naming the field.
func (d *EnforcementDecision) Validate(now time.Time) error {
	for _, f := range []*string{&d.Number, &d.Licence, &d.PartyName, &d.CreditCode, &d.Violation, &d.LegalBasis, &d.Authority} {
		*f = strings.TrimSpace(*f)
	}
	d.CreditCode = strings.ToUpper(d.CreditCode)
	today := dateOf(now)
	for field, v := range map[string]string{"number": d.Number, "party_name": d.PartyName, "violation": d.Violation,
		"legal_basis": d.LegalBasis, "authority": d.Authority} {
		if v == "" {
			return FieldError(field, "is required")
		}
		if utf8.RuneCountInString(v) > 1000 || !utf8.ValidString(v) {
			return FieldError(field, "must be valid text of at most 1000 characters")
		}
		if containsIDNumber(v) {
			return FieldError(field, "contains a personal ID number, which a public notice never shows")
		}
	}
	switch {
	case d.DecidedOn.IsZero():
		return FieldError("decided_on", "is required")
	case d.DecidedOn.After(today):
		return FieldError("decided_on", "%s is in the future", d.DecidedOn.Format(DateLayout))
	case d.PublishedOn.IsZero():
		return FieldError("published_on", "is required")
	case d.PublishedOn.Before(d.DecidedOn) || d.PublishedOn.After(today):
		return FieldError("published_on", "must be between the decision and today")
	case d.CreditCode != "" && !ValidCreditCode(d.CreditCode):
		return FieldError("credit_code", "is not a valid unified social credit code (18 characters with its check character)")
	case d.Licence != "" && !ValidLicence(d.Licence):
		return FieldError("licence", "must be 6–32 upper-case letters or digits")
	case len(d.Penalties) == 0:
		return FieldError("penalties", "at least one of: %s", strings.Join(PenaltyKinds, ", "))
	case !(d.FineYuan >= 0 && d.FineYuan < 1e10):
		return FieldError("fine_yuan", "must be a sum in yuan, 0 or more")
	}
	fine := false
	for i, p := range d.Penalties {
		if !containsString(PenaltyKinds, p) {
			return FieldError(fieldIndex("penalties", i, ""), "must be one of: %s", strings.Join(PenaltyKinds, ", "))
		}
		fine = fine || p == "fine"
	}
	if fine != (d.FineYuan > 0) {
		return FieldError("fine_yuan", "a fine states its sum, and only a fine does")
	}
	return nil
}

// ShopReply is a shop's written response to a substantiated complaint,
// attached by an officer (the right to reply), shown beside it.
type ShopReply struct {
	Text       string
	AttachedBy string
	At         time.Time
}

// CaseFact is what the shop page may say of one complaint or report: no
// personal data, no description.
type CaseFact struct {
	ComplaintID   int64
	Kind          string
	Category      string
	Status        string
	FiledOn       time.Time
	DecisionWDays int // working days from receipt to the decision, -1 before
	Substantiated bool
	Finding       string // the public on-site finding, zh
	Reply         *ShopReply
}

// Transparency is a shop's supervision record over the last 12 months
// (docs/transparency.md), as the shop page shows it.
type Transparency struct {
	Licence    string
	From, To   time.Time
	Complaints int // 投诉
	Reports    int // 举报
	// Substantiated counts cases a check found true: a report that led to
	// a case, or any case whose on-site check found problems.
	Substantiated int
	// MedianDecisionWDays is the median of working days from receipt to the
	// decision (accept/reject; for a report, case opened or not); nil when
	// none was decided.
	MedianDecisionWDays *float64
	// SubstantiatedCases are listed, with the shop's reply where it gave one.
	SubstantiatedCases []CaseFact
	Orders             []OrderOutcome
	Decisions          []EnforcementDecision
}

// OrderOutcome is one order to rectify and whether it was met.
type OrderOutcome struct {
	Ordered time.Time
	Due     time.Time
	// Met is nil while the order runs; Overdue says it ran past its
	// deadline without a follow-up.
	Met     *bool
	Overdue bool
}
