package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/internal/strictjson"
)

// maxJSONBody bounds a JSON complaint: the route takes edge.MaxRequestBody
// (three 5 MB photos and the form), JSON has no business being that large.
const maxJSONBody = 64 << 10

// ComplaintService is the complaint intake (complaints.Service): the API,
// the form page and Open311 all file through it.
type ComplaintService interface {
	// File validates, triages and commits a complaint; see complaints.Service.File.
	File(ctx context.Context, sub shian.ComplaintSubmission) (*shian.FiledComplaint, error)
	// Track shows a ticket to whoever proves to be its filer.
	Track(ctx context.Context, ticket string, p shian.TrackingProof) (*shian.ComplaintTracking, error)
	// Rate records the filer's satisfaction once.
	Rate(ctx context.Context, ticket string, p shian.TrackingProof, stars int, comment string) error
	// List lists complaints (Open311, always scoped to one partner here).
	List(ctx context.Context, f shian.ComplaintFilter) ([]*shian.Complaint, error)
	// Partner returns the Open311 partner of an api_key.
	Partner(ctx context.Context, apiKey string) (string, error)
	// Office returns the names of an office.
	Office(code string) (shian.Names, bool)
	// PhoneKey is the keyed hash rate limits count a phone by.
	PhoneKey(phone string) string
}

// complaintJSON is the JSON body of POST /api/v1/complaints. Unknown fields
// are an error (a typo must not drop data); status and priority are
// accepted and ignored: the client never sets them.
type complaintJSON struct {
	Kind         string          `json:"kind"`
	Category     string          `json:"category"`
	Licence      string          `json:"licence"`
	ShopName     string          `json:"shop_name"`
	ShopAddress  string          `json:"shop_address"`
	Description  string          `json:"description"`
	OccurredAt   string          `json:"occurred_at"`
	Lat          *float64        `json:"lat"`
	Lng          *float64        `json:"lng"`
	ContactName  string          `json:"contact_name"`
	ContactPhone string          `json:"contact_phone"`
	OrderNo      string          `json:"order_no"`
	Lang         string          `json:"lang"`
	Channel      string          `json:"channel"`
	Status       json.RawMessage `json:"status"`
	Priority     json.RawMessage `json:"priority"`
}

func inputErr(field, key string, args ...any) *shian.Error {
	return &shian.Error{Code: shian.EINVALID, Field: field, Key: "complaint_" + key, Args: append([]any{field}, args...),
		Message: field + ": " + strings.ReplaceAll(key, "_", " ")}
}

// ParseComplaintJSON decodes a JSON complaint strictly: valid UTF-8, one
// object, known fields with the right types.
func ParseComplaintJSON(body []byte) (shian.ComplaintInput, error) {
	var in shian.ComplaintInput
	if len(body) > maxJSONBody {
		return in, edge.WithStatus(&shian.Error{Code: shian.EINVALID, Message: "the request body is too large", Key: "body_too_large"}, fiber.StatusRequestEntityTooLarge)
	}
	if !utf8.Valid(body) {
		return in, inputErr("body", "bad_utf8")
	}
	var b complaintJSON
	if err := strictjson.Decode(body, &b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return in, inputErr(te.Field, "bad_type", te.Value)
		}
		if f, ok := strictjson.UnknownField(err); ok {
			return in, inputErr(fieldName(f), "unknown_field")
		}
		return in, inputErr("body", "bad_json")
	}
	in = shian.ComplaintInput{Kind: b.Kind, Category: b.Category, Licence: b.Licence, ShopName: b.ShopName,
		ShopAddress: b.ShopAddress, Description: b.Description, ContactName: b.ContactName, ContactPhone: b.ContactPhone,
		OrderNo: b.OrderNo, Lang: b.Lang, Channel: b.Channel}
	if (b.Lat == nil) != (b.Lng == nil) {
		return in, inputErr("lat", "geo_pair")
	}
	if b.Lat != nil {
		in.Lat, in.Lng, in.HasGeo = *b.Lat, *b.Lng, true
	}
	var err error
	if in.OccurredAt, err = parseOccurred(b.OccurredAt); err != nil {
		return in, err
	}
	return in, nil
}

// fieldName is an unknown field's name as the client sent it, fit to be
// quoted back: valid UTF-8, clipped.
func fieldName(f string) string {
	return shian.Clip(strings.ToValidUTF8(f, "\uFFFD"), 40)
}

// parseOccurred reads occurred_at: RFC 3339, or a date and time without a
// zone (an HTML datetime-local field, China time), or a date.
func parseOccurred(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, shian.CST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, inputErr("occurred_at", "bad_time")
}

// formInput reads a complaint from form fields (the form page and
// multipart API bodies use the field names of the JSON body).
func formInput(get func(string) string) (shian.ComplaintInput, error) {
	in := shian.ComplaintInput{Kind: get("kind"), Category: get("category"), Licence: get("licence"),
		ShopName: get("shop_name"), ShopAddress: get("shop_address"), Description: get("description"),
		ContactName: get("contact_name"), ContactPhone: get("contact_phone"), OrderNo: get("order_no"),
		Lang: get("lang"), Channel: get("channel")}
	var err error
	if in.Lat, in.Lng, in.HasGeo, err = parseGeo(get("lat"), get("lng"), "lat", "lng"); err != nil {
		return in, err
	}
	in.OccurredAt, err = parseOccurred(get("occurred_at"))
	return in, err
}

func parseGeo(lat, lng, latName, lngName string) (float64, float64, bool, error) {
	lat, lng = strings.TrimSpace(lat), strings.TrimSpace(lng)
	if lat == "" && lng == "" {
		return 0, 0, false, nil
	}
	if lat == "" || lng == "" {
		return 0, 0, false, inputErr(latName, "geo_pair")
	}
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil {
		return 0, 0, false, inputErr(latName, "bad_number")
	}
	ln, err := strconv.ParseFloat(lng, 64)
	if err != nil {
		return 0, 0, false, inputErr(lngName, "bad_number")
	}
	return la, ln, true, nil
}

// MultipartSubmission reads a multipart complaint: the fields and up to
// MaxPhotos files named "photos", each at most MaxPhotoBytes.
func MultipartSubmission(form *multipart.Form) (shian.ComplaintSubmission, error) {
	var sub shian.ComplaintSubmission
	get := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return strings.Clone(v[0])
		}
		return ""
	}
	var err error
	if sub.Input, err = formInput(get); err != nil {
		return sub, err
	}
	sub.IdempotencyKey = get("idempotency_key")
	files := form.File["photos"]
	if len(files) > shian.MaxPhotos {
		return sub, &shian.Error{Code: shian.EINVALID, Field: "photos", Key: "photo_count", Message: "too many photos"}
	}
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input of a form
		}
		if fh.Size > shian.MaxPhotoBytes {
			return sub, &shian.Error{Code: shian.EINVALID, Field: "photos", Key: "photo_too_large", Message: "a photo is too large"}
		}
		f, err := fh.Open()
		if err != nil {
			return sub, fmt.Errorf("open upload: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, shian.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return sub, fmt.Errorf("read upload: %w", err)
		}
		if len(b) > shian.MaxPhotoBytes {
			return sub, &shian.Error{Code: shian.EINVALID, Field: "photos", Key: "photo_too_large", Message: "a photo is too large"}
		}
		if len(b) > 0 {
			sub.Photos = append(sub.Photos, b)
		}
	}
	return sub, nil
}

// submission reads a complaint from a JSON or multipart request.
func submission(c *fiber.Ctx) (shian.ComplaintSubmission, error) {
	var sub shian.ComplaintSubmission
	var err error
	switch {
	case c.Is("json"):
		sub.Input, err = ParseComplaintJSON(c.Body())
	case strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm):
		form, ferr := c.MultipartForm()
		if ferr != nil {
			return sub, inputErr("body", "bad_form")
		}
		sub, err = MultipartSubmission(form)
	default:
		return sub, edge.WithStatus(&shian.Error{Code: shian.EINVALID, Key: "complaint_content_type",
			Message: "send application/json, or multipart/form-data with photos"}, fiber.StatusUnsupportedMediaType)
	}
	if k := c.Get("Idempotency-Key"); k != "" {
		sub.IdempotencyKey = strings.Clone(k)
	}
	return sub, err
}

// FiledView is the 201 answer to a filing.
type FiledView struct {
	Ticket     string            `json:"ticket"`
	Kind       string            `json:"kind"`
	Status     string            `json:"status"`
	StatusName string            `json:"status_name"`
	Office     string            `json:"office"`
	OfficeName string            `json:"office_name"`
	Category   string            `json:"category"`
	AcceptDue  string            `json:"accept_due,omitempty"`
	VerifyDue  string            `json:"verify_due,omitempty"`
	Receipt    string            `json:"receipt"`
	LookupHint string            `json:"lookup_hint"`
	Links      map[string]string `json:"links"`
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shian.CST).Format(time.RFC3339)
}

func newFiledView(f *shian.FiledComplaint, lang string) FiledView {
	v := FiledView{Ticket: f.Ticket, Kind: f.Kind, Status: f.Status, StatusName: shian.ComplaintStatusNames[f.Status].In(lang),
		Office: f.Office, OfficeName: f.Names.In(lang), Category: f.Category, AcceptDue: timeText(f.AcceptDue),
		VerifyDue: timeText(f.VerifyDue), Receipt: f.Receipt,
		Links: map[string]string{"page": "/complaints/track?ticket=" + f.Ticket + "&lang=" + lang,
			"api": "/api/v1/complaints/" + f.Ticket}}
	if f.PhoneMask != "" {
		v.LookupHint = edge.T(lang, "complaint_hint_phone", f.Ticket, f.PhoneMask, f.Receipt)
	} else {
		v.LookupHint = edge.T(lang, "complaint_hint_receipt", f.Ticket, f.Receipt)
	}
	return v
}

// postComplaint is POST /api/v1/complaints. 201 only once committed.
func (s *Server) postComplaint(c *fiber.Ctx) error {
	sub, err := submission(c)
	if err != nil {
		return err
	}
	if sub.Input.Channel == shian.ChannelOpen311 {
		return inputErr("channel", "bad_choice", "web, qr, bot")
	}
	if sub.Input.Lang == "" {
		sub.Input.Lang = edge.Lang(c)
	}
	sub.ClientIP = s.edge.ClientIP(c).String()
	f, err := s.complaints.File(c.UserContext(), sub)
	if err != nil {
		return err
	}
	if f.Replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	lang := f.Lang
	c.Set(fiber.HeaderLocation, "/api/v1/complaints/"+f.Ticket)
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(newFiledView(f, lang))
}

// TrackingView is the public JSON of a ticket.
type TrackingView struct {
	Ticket       string      `json:"ticket"`
	Kind         string      `json:"kind"`
	Category     string      `json:"category"`
	Status       string      `json:"status"`
	StatusName   string      `json:"status_name"`
	Office       string      `json:"office"`
	OfficeName   string      `json:"office_name"`
	ShopName     string      `json:"shop_name,omitempty"`
	Licence      string      `json:"licence,omitempty"`
	FiledAt      string      `json:"filed_at"`
	AcceptDue    string      `json:"accept_due,omitempty"`
	VerifyDue    string      `json:"verify_due,omitempty"`
	MediationDue string      `json:"mediation_due,omitempty"`
	Timeline     []EventView `json:"timeline"`
	Rating       int         `json:"rating,omitempty"`
	CanRate      bool        `json:"can_rate"`
}

// EventView is one public timeline entry.
type EventView struct {
	At         string `json:"at"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Note       string `json:"note,omitempty"`
}

func newTrackingView(t *shian.ComplaintTracking, lang string) TrackingView {
	v := TrackingView{Ticket: t.Ticket, Kind: t.Kind, Category: t.Category, Status: t.Status,
		StatusName: shian.ComplaintStatusNames[t.Status].In(lang), Office: t.Office, OfficeName: t.OfficeNames.In(lang),
		ShopName: t.ShopName, Licence: t.Licence, FiledAt: timeText(t.FiledAt), AcceptDue: timeText(t.AcceptDue),
		VerifyDue: timeText(t.VerifyDue), MediationDue: timeText(t.MediationDue), Timeline: []EventView{},
		Rating: t.Rating, CanRate: t.CanRate}
	for _, e := range t.Timeline {
		v.Timeline = append(v.Timeline, EventView{At: timeText(e.At), Type: e.Type, Status: e.Status,
			StatusName: shian.ComplaintStatusNames[e.Status].In(lang), Note: e.Note})
	}
	return v
}

// pathParam returns a path parameter, percent-decoded and copied (it keys
// the tracking limits, which the limiter keeps past the request; without a
// '%' PathUnescape returns its argument, Fiber's reused buffer, unchanged).
func pathParam(c *fiber.Ctx, name string) string {
	v := strings.Clone(c.Params(name))
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

func proofFrom(get func(string) string) shian.TrackingProof {
	return shian.TrackingProof{PhoneLast4: strings.Clone(get("phone_last4")), Receipt: strings.Clone(get("receipt"))}
}

// getComplaint is GET /api/v1/complaints/{ticket}?phone_last4=…|receipt=….
func (s *Server) getComplaint(c *fiber.Ctx) error {
	ticket := pathParam(c, "ticket")
	var t *shian.ComplaintTracking
	proof := proofFrom(func(k string) string { return c.Query(k) })
	err := s.edge.TrackGuard(c, ticket, proof, func() (err error) {
		t, err = s.complaints.Track(c.UserContext(), ticket, proof)
		return err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(newTrackingView(t, edge.Lang(c)))
}

type ratingJSON struct {
	PhoneLast4 string `json:"phone_last4"`
	Receipt    string `json:"receipt"`
	Stars      int    `json:"stars"`
	Comment    string `json:"comment"`
}

// rateComplaint is POST /api/v1/complaints/{ticket}/rating.
func (s *Server) rateComplaint(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) > maxJSONBody || !utf8.Valid(body) {
		return inputErr("body", "bad_json")
	}
	var r ratingJSON
	if err := strictjson.Decode(body, &r); err != nil {
		return inputErr("body", "bad_json")
	}
	ticket := pathParam(c, "ticket")
	proof := shian.TrackingProof{PhoneLast4: r.PhoneLast4, Receipt: r.Receipt}
	err := s.edge.TrackGuard(c, ticket, proof, func() error {
		return s.complaints.Rate(c.UserContext(), ticket, proof, r.Stars, r.Comment)
	})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rated": true, "stars": r.Stars})
}
