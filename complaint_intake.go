package shian

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Complaint statuses. Every complaint and report starts at received; the
// supervision console moves it along the legal state machines (issue 7):
//
//	complaint: received → accepted | rejected → mediating → resolved | mediation_failed → closed
//	report:    received → verifying → case_opened | not_opened → closed
const (
	ComplaintReceived        = "received"
	ComplaintAccepted        = "accepted"
	ComplaintRejected        = "rejected"
	ComplaintMediating       = "mediating"
	ComplaintResolved        = "resolved"
	ComplaintMediationFailed = "mediation_failed"
	ComplaintVerifying       = "verifying"
	ComplaintCaseOpened      = "case_opened"
	ComplaintNotOpened       = "not_opened"
	ComplaintClosed          = "closed"
)

// ComplaintStatusNames are the public names of the statuses.
var ComplaintStatusNames = map[string]Names{
	ComplaintReceived:        {"已受理登记", "Received", "Получено"},
	ComplaintAccepted:        {"已受理", "Accepted", "Принято к рассмотрению"},
	ComplaintRejected:        {"不予受理", "Not accepted", "Отказано в рассмотрении"},
	ComplaintMediating:       {"调解中", "In mediation", "Идёт примирение"},
	ComplaintResolved:        {"调解成功", "Resolved", "Урегулировано"},
	ComplaintMediationFailed: {"调解未成功", "Mediation failed", "Примирение не удалось"},
	ComplaintVerifying:       {"核查中", "Being verified", "Проверяется"},
	ComplaintCaseOpened:      {"已立案", "Case opened", "Возбуждено дело"},
	ComplaintNotOpened:       {"不予立案", "No case opened", "Дело не возбуждено"},
	ComplaintClosed:          {"已办结", "Closed", "Закрыто"},
}

// Rateable reports whether a complaint in status may be rated by its
// complainant: once handling has reached an outcome.
func Rateable(status string) bool {
	switch status {
	case ComplaintRejected, ComplaintResolved, ComplaintMediationFailed, ComplaintCaseOpened, ComplaintNotOpened, ComplaintClosed:
		return true
	}
	return false
}

// CategoryIllness is the category of suspected food poisoning: illness words
// raise a complaint to it, and outbreak clusters are made of it.
const CategoryIllness = "foodborne_illness"

// Intake channels.
const (
	ChannelWeb     = "web"
	ChannelQR      = "qr"
	ChannelBot     = "bot"
	ChannelOpen311 = "open311"
)

// Limits of the intake contract (issue 5).
const (
	DescriptionMin   = 10
	DescriptionMax   = 2000
	MaxPhotos        = 3
	MaxPhotoBytes    = 5 << 20
	complaintTextMax = 200
	// OccurredMaxAge bounds how long ago the events complained about may be.
	OccurredMaxAge = 3 * 365 * 24 * time.Hour
)

// ComplaintInput is what a complainant submits, from any channel. The
// client never sets status, priority or routing: they are not here.
type ComplaintInput struct {
	Kind         string
	Category     string
	Licence      string // optional: a known shop
	ShopName     string // free text when the licence is unknown
	ShopAddress  string
	Description  string
	OccurredAt   time.Time // zero: not given
	Lat, Lng     float64
	HasGeo       bool
	ContactName  string
	ContactPhone string // normalised by Validate
	OrderNo      string
	Lang         string
	Channel      string
}

// Validate checks and normalises the input (trims text, upper-cases the
// licence, normalises the phone, defaults lang and channel). now bounds
// occurred_at. Errors are EINVALID *Error naming the field, with a message
// key the api translates.
func (in *ComplaintInput) Validate(now time.Time) error {
	descVisible := 0
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"kind", &in.Kind, 20}, {"category", &in.Category, 40}, {"licence", &in.Licence, 32},
		{"shop_name", &in.ShopName, complaintTextMax}, {"shop_address", &in.ShopAddress, complaintTextMax},
		{"description", &in.Description, DescriptionMax}, {"contact_name", &in.ContactName, 50},
		{"contact_phone", &in.ContactPhone, 30}, {"order_no", &in.OrderNo, 64},
		{"lang", &in.Lang, 5}, {"channel", &in.Channel, 20},
	} {
		if !utf8.ValidString(*f.v) {
			return inputError(f.name, "bad_utf8", "is not valid UTF-8 text")
		}
		*f.v = strings.TrimSpace(*f.v)
		if strings.ContainsFunc(*f.v, func(r rune) bool {
			return unicode.IsControl(r) && (f.name != "description" || (r != '\n' && r != '\r' && r != '\t'))
		}) {
			return inputError(f.name, "bad_control", "contains control characters")
		}
		vis, err := FreeText(f.name, *f.v, f.name == "description")
		if err != nil {
			return err
		}
		if vis == 0 {
			*f.v = "" // only invisible characters: not given
		}
		if f.name == "description" {
			descVisible = vis
		}
		if n := utf8.RuneCountInString(*f.v); n > f.max {
			if f.name == "description" {
				return inputError(f.name, "description_length", "must be %d–%d characters, got %d", DescriptionMin, DescriptionMax, n)
			}
			return inputError(f.name, "too_long", "is longer than %d characters", f.max)
		}
	}
	switch in.Kind {
	case KindComplaint, KindReport:
	case "":
		return inputError("kind", "required", "is required")
	default:
		return inputError("kind", "bad_choice", "must be one of: complaint, report")
	}
	if in.Category == "" {
		return inputError("category", "required", "is required")
	}
	if _, ok := LookupComplaintCategory(in.Category); !ok {
		codes := make([]string, len(ComplaintCategories))
		for i, c := range ComplaintCategories {
			codes[i] = c.Code
		}
		return inputError("category", "bad_choice", "must be one of: %s", strings.Join(codes, ", "))
	}
	if in.Licence != "" {
		in.Licence = strings.ToUpper(in.Licence)
		if !ValidLicence(in.Licence) {
			return &Error{Code: EINVALID, Field: "licence", Message: "malformed licence number", Key: "bad_licence"}
		}
	} else if in.ShopName == "" && in.ShopAddress == "" && !in.HasGeo {
		// The shop is resolved from any of these (package resolve), and a
		// point alone still routes the complaint (Open311 clients send
		// only lat/long and a description).
		return inputError("shop_name", "shop_required", "give the licence number, the shop's name or address, or the location")
	}
	if descVisible < DescriptionMin { // visible characters: ten zero-width spaces are not a description
		return inputError("description", "description_length", "must be %d–%d characters, got %d", DescriptionMin, DescriptionMax, descVisible)
	}
	if !in.OccurredAt.IsZero() {
		switch {
		case in.OccurredAt.After(now.Add(10 * time.Minute)):
			return inputError("occurred_at", "occurred_future", "is in the future")
		case in.OccurredAt.Before(now.Add(-OccurredMaxAge)):
			return inputError("occurred_at", "occurred_old", "is more than 3 years ago")
		}
	}
	if in.HasGeo && !InCity(in.Lat, in.Lng) {
		return inputError("lat", "outside_city", "point (%.5f, %.5f) is outside Qinhuangdao", in.Lat, in.Lng)
	}
	if in.ContactPhone != "" {
		p, ok := NormalizePhoneIn(in.ContactPhone, in.Lang)
		if !ok {
			return inputError("contact_phone", "bad_phone", "is not a phone number")
		}
		in.ContactPhone = p
	}
	if in.Kind == KindComplaint {
		if in.ContactName == "" {
			return inputError("contact_name", "contact_required", "is required for a complaint (a report may be anonymous)")
		}
		if in.ContactPhone == "" {
			return inputError("contact_phone", "contact_required", "is required for a complaint (a report may be anonymous)")
		}
	}
	switch in.Lang {
	case "":
		in.Lang = "zh"
	case "zh", "en", "ru":
	default:
		return inputError("lang", "bad_choice", "must be one of: zh, en, ru")
	}
	switch in.Channel {
	case "":
		in.Channel = ChannelWeb
	case ChannelWeb, ChannelQR, ChannelBot, ChannelOpen311:
	default:
		return inputError("channel", "bad_choice", "must be one of: web, qr, bot, open311")
	}
	return nil
}

// inputError is an EINVALID error about one intake field. The key names a
// message "complaint_"+key that the api translates with the field and args.
func inputError(field, key, format string, args ...any) *Error {
	e := FieldError(field, format, args...)
	e.Key = "complaint_" + key
	e.Args = append([]any{field}, args...)
	return e
}

// Complaint is a filed complaint or report as the store keeps it. Contact
// data is only ever held encrypted (ContactSealed) with a keyed hash of the
// phone for duplicate lookup and its masked form for display.
type Complaint struct {
	ID       int64
	Ticket   string
	Kind     string
	Status   string
	Category string // after triage (illness words raise it)
	// SubmittedCategory is the category the complainant chose.
	SubmittedCategory string
	Priority          string
	District          string
	Grid              string
	Office            string
	RoutedBy          string
	ShopID            int64 // 0 when the shop is not a known one
	Licence           string
	ShopKey           string // triage.ShopKey: compares complaints about one shop
	ShopName          string
	ShopAddress       string
	// Resolution says how the shop was found when no licence was given.
	Resolution ShopResolution
	// Reading is the service's reading of the words, beside SubmittedCategory.
	Reading ComplaintReading
	// ProbableDistrict is where a complaint routed nowhere probably belongs
	// (its shop candidates' district): that district's queue shows it,
	// marked probable.
	ProbableDistrict string
	Description      string
	OccurredAt       time.Time
	Lat, Lng         float64
	HasGeo           bool
	OrderNo          string
	Lang             string
	Channel          string
	Partner          string // the Open311 partner that filed it, "" otherwise
	// ContactSealed is the AES-GCM sealed contact (name and phone).
	ContactSealed string
	PhoneHash     string // keyed hash of the normalised phone, "" when none
	PhoneMasked   string // 138****1234
	// Last4Hash and ReceiptHash are keyed hashes of the tracking proofs.
	Last4Hash   string
	ReceiptHash string
	// ProofFailures counts wrong tracking proofs since ProofWindow began.
	ProofFailures int
	ProofWindow   time.Time
	AcceptDue     time.Time
	VerifyDue     time.Time
	MediationDue  time.Time
	ClaimedBy     string
	ClaimedAt     time.Time
	ClusterID     int64 // the first complaint of its outbreak cluster, 0 when none
	DuplicateOf   int64 // the original this repeats, 0 when none
	Flagged       bool  // outbreak: flagged for supervisors
	Rating        int   // 1–5, 0 when not rated
	RatingNote    string
	RatedAt       time.Time
	Photos        []ComplaintPhoto
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ComplaintPhoto is a re-encoded photo stored outside the web root; Path
// is relative to the photo directory.
type ComplaintPhoto struct {
	Path   string
	Type   string // image/jpeg or image/png
	Width  int
	Height int
	Size   int
}

// Errors of the idempotency protocol: a key reused for another request
// (HTTP 422), and a key whose first request is still being filed (409 with
// Retry-After).
var (
	ErrIdempotencyMismatch = &Error{Code: EINVALID, Field: "Idempotency-Key", Key: "idempotency_mismatch",
		Message: "this Idempotency-Key was already used with a different request"}
	ErrIdempotencyBusy = &Error{Code: ECONFLICT, Field: "Idempotency-Key", Key: "idempotency_busy",
		Message: "a request with this Idempotency-Key is still being processed; retry shortly"}
)

// ComplaintEvent is one entry of a complaint's timeline. Public entries are
// shown to the complainant; the others only in the console.
type ComplaintEvent struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Type   string    `json:"type"`   // filed, status, note, cluster, duplicate, rated …
	Status string    `json:"status"` // the status after the event
	Public bool      `json:"public"`
	Actor  string    `json:"actor,omitempty"` // "" for the complainant or the system
	Note   string    `json:"note,omitempty"`
}

// IdempotencyState is what BeginIdempotency found for a key.
type IdempotencyState int

const (
	// IdemNew: the key is now held by the caller, who must finish or release it.
	IdemNew IdempotencyState = iota
	// IdemDone: the key was used before with the same request; Response replays it.
	IdemDone
	// IdemBusy: the same request is being processed right now.
	IdemBusy
	// IdemMismatch: the key was used with a different request.
	IdemMismatch
)

// Idempotency is a key, held or to be claimed, and, once done, the answer
// to replay.
type Idempotency struct {
	Key         string // scoped: channel/partner and the client's key
	RequestHash string
	Owner       string // random token of the holder
	Response    []byte // sealed answer to replay
	// Held is set by BeginIdempotency when it returns IdemNew. A key not
	// held is claimed by InsertComplaint in the filing transaction itself.
	Held bool
	// Keep is how long a key claimed by InsertComplaint is remembered.
	Keep time.Duration
}

// ErrIdempotencyTaken is InsertComplaint's answer when a key it was to
// claim is already used (code ECONFLICT): nothing was stored, and
// BeginIdempotency tells why.
var ErrIdempotencyTaken = &Error{Code: ECONFLICT, Field: "Idempotency-Key", Key: "idempotency_taken",
	Message: "this Idempotency-Key is already in use"}

// ComplaintFilter selects complaints for Open311 listings.
type ComplaintFilter struct {
	Partner    string
	Tickets    []string
	Categories []string
	Statuses   []string
	From, To   time.Time
	Limit      int
}

// ComplaintStore is what the complaint service needs from the system of
// record. Errors: ENOTFOUND, ECONFLICT, EUNAVAILABLE, EINTERNAL.
type ComplaintStore interface {
	ShopByLicence(ctx context.Context, licence string) (*Shop, error)
	// BeginIdempotency claims key for a request with requestHash, or says
	// why it cannot: done before (replay), busy (held, lease not expired)
	// or used for another request.
	BeginIdempotency(ctx context.Context, idem *Idempotency, lease, keep time.Duration) (IdempotencyState, error)
	// ReleaseIdempotency drops a held key whose request failed.
	ReleaseIdempotency(ctx context.Context, idem *Idempotency) error
	// InsertComplaint writes the complaint, its photos and first timeline
	// events (Complaint.FilingEvents), links it to clusters and duplicates
	// decided by link (called inside the transaction with the earlier
	// complaints Complaint.LinkLookup names; a cluster joined as
	// JoinCluster decides), and, when idem is not nil, completes the key
	// with its response — all in one transaction. The store decides none of
	// these: it reads, calls and writes. A key that is not Held is claimed
	// in that transaction (one forgotten — past its Keep, or left pending
	// past its lease — is taken over); when it is in use, nothing is
	// stored and the error is ErrIdempotencyTaken.
	InsertComplaint(ctx context.Context, c *Complaint, link LinkFunc, idem *Idempotency) error
	ComplaintByTicket(ctx context.Context, ticket string) (*Complaint, error)
	ComplaintEvents(ctx context.Context, id int64, publicOnly bool) ([]ComplaintEvent, error)
	// RecordProofFailure counts a wrong tracking proof and returns the
	// failures in the current window.
	RecordProofFailure(ctx context.Context, id int64, window time.Duration) (int, error)
	// RateComplaint stores the rating once. Errors: ECONFLICT when rated.
	RateComplaint(ctx context.Context, id int64, stars int, note string) error
	ListComplaints(ctx context.Context, f ComplaintFilter) ([]*Complaint, error)
	// PurgeContacts removes contact data of complaints closed before cutoff.
	PurgeContacts(ctx context.Context, cutoff time.Time) (int, error)
	// AddAPIKey stores a partner's key hash. Errors: ECONFLICT for a taken name.
	AddAPIKey(ctx context.Context, name, keyHash string) error
	// APIKeyPartner returns the name of the partner with keyHash. Errors: EUNAUTHORIZED.
	APIKeyPartner(ctx context.Context, keyHash string) (string, error)
}

// RecentComplaint is an earlier complaint about the same shop, for cluster
// and duplicate linking.
type RecentComplaint struct {
	ID          int64
	Category    string
	PhoneHash   string
	CreatedAt   time.Time
	DuplicateOf int64
}

// ComplaintLinks are the links decided for a new complaint.
type ComplaintLinks struct {
	Cluster     []int64 // earlier complaints it forms an outbreak cluster with
	DuplicateOf int64
}

// LinkFunc decides the links of a new complaint from the recent ones.
type LinkFunc func(recent []RecentComplaint) ComplaintLinks

// ComplaintSubmission is one filing: the input, its photos (raw bytes as uploaded)
// and, optionally, an idempotency key scoped to the partner.
type ComplaintSubmission struct {
	Input          ComplaintInput
	Photos         [][]byte
	IdempotencyKey string
	// Partner is the Open311 partner filing, "" for the public channels.
	Partner string
	// ClientIP is the address the submission came from (the TCP peer or a
	// trusted proxy's X-Real-IP), "" when the channel has none of its own:
	// an Open311 partner's server, WeChat (Tencent's servers relay it).
	// The complaint limits are charged to it; it is never stored.
	ClientIP string
	// OpenID is the WeChat user filing through the Official Account, ""
	// elsewhere: WeChat's own identity, which the user cannot choose per
	// conversation, is what the complaint limits count there.
	OpenID string
}

// FiledComplaint is the answer to a filing. It is what a retry with the same
// idempotency key gets again.
type FiledComplaint struct {
	Ticket    string    `json:"ticket"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	Office    string    `json:"office"`
	AcceptDue time.Time `json:"accept_due,omitzero"`
	VerifyDue time.Time `json:"verify_due,omitzero"`
	Receipt   string    `json:"receipt"`
	PhoneMask string    `json:"phone_masked,omitempty"`
	Lang      string    `json:"lang"`
	FiledAt   time.Time `json:"filed_at"`
	Category  string    `json:"category"`
	Names     Names     `json:"office_names"`
	// Replayed is true when this answer repeats an earlier filing.
	Replayed bool `json:"-"`
}

// ComplaintTracking is what a complainant sees of a complaint: status, public
// timeline and due dates. Nothing internal, no contact data.
type ComplaintTracking struct {
	Ticket       string
	Kind         string
	Category     string
	Status       string
	Office       string
	OfficeNames  Names
	ShopName     string
	Licence      string
	FiledAt      time.Time
	AcceptDue    time.Time
	VerifyDue    time.Time
	MediationDue time.Time
	Timeline     []ComplaintEvent
	Rating       int
	CanRate      bool
}

// TrackingProof is what a complainant shows to see a ticket: the last four digits
// of the phone given, or the receipt code.
type TrackingProof struct {
	PhoneLast4 string
	Receipt    string
}
