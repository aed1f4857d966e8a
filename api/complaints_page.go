package api

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/web"
)

// formOption is one choice of a select or radio group.
type formOption struct {
	Value, Label string
	Selected     bool
}

// complaintForm is the data of the complaint form page.
type complaintForm struct {
	Lang, Path string
	V          map[string]string // the values typed so far
	Shop       *shian.Shop
	Kinds      []formOption
	Categories []formOption
	Error      string
	ErrorField string
	HadPhotos  bool
	// IdemKey makes a double click or a retried submit file once.
	IdemKey string
	MaxTime string
}

// Bad reports whether field is the one the error is about.
func (f *complaintForm) Bad(field string) bool { return f.ErrorField == field }

func formKey() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return "form-" + base32.StdEncoding.EncodeToString(b[:])
}

var formFields = []string{"kind", "category", "licence", "shop_name", "shop_address", "description", "occurred_at",
	"order_no", "contact_name", "contact_phone", "channel"}

func (s *Server) newComplaintForm(c *fiber.Ctx, lang string, v map[string]string) *complaintForm {
	f := &complaintForm{Lang: lang, Path: "/complaints/new", V: v, MaxTime: s.now().In(shian.CST).Format("2006-01-02T15:04")}
	switch v["channel"] {
	case shian.ChannelQR, shian.ChannelWeb:
	default:
		v["channel"] = shian.ChannelWeb
	}
	if v["kind"] == "" {
		v["kind"] = shian.KindComplaint
	}
	for _, k := range []string{shian.KindComplaint, shian.KindReport} {
		f.Kinds = append(f.Kinds, formOption{k, web.T(lang, "complaint.kind."+k), v["kind"] == k})
	}
	for _, cat := range shian.ComplaintCategories {
		f.Categories = append(f.Categories, formOption{cat.Code, cat.Names.In(lang), v["category"] == cat.Code})
	}
	if l := strings.ToUpper(strings.TrimSpace(v["licence"])); shian.ValidLicence(l) {
		if shop, err := s.store.ShopByLicence(c.UserContext(), l); err == nil {
			f.Shop = shop
		}
	}
	return f
}

// complaintFormPage is GET /complaints/new: the form, with the shop filled
// in when the QR landing page or the shop page links here with ?licence=.
func (s *Server) complaintFormPage(c *fiber.Ctx) error {
	v := map[string]string{}
	for _, k := range []string{"licence", "kind", "category", "channel"} {
		v[k] = strings.Clone(c.Query(k))
	}
	f := s.newComplaintForm(c, edge.Lang(c), v)
	f.IdemKey = formKey()
	return s.renderPage(c, fiber.StatusOK, "complaint_form", f)
}

func (s *Server) renderPage(c *fiber.Ctx, status int, page string, data any) error {
	body, err := s.renderBytes(page, data)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.sendHTML(c, status, body)
}

// complaintFormSubmit is POST /complaints from the form page. Success shows
// the ticket; an error shows the form again with what was typed.
func (s *Server) complaintFormSubmit(c *fiber.Ctx) error {
	lang := edge.Lang(c)
	var sub shian.ComplaintSubmission
	var err error
	values := map[string]string{}
	if form, ferr := c.MultipartForm(); ferr == nil {
		for _, k := range formFields {
			if vs := form.Value[k]; len(vs) > 0 {
				values[k] = strings.Clone(vs[0])
			}
		}
		sub, err = MultipartSubmission(form)
		for _, fh := range form.File["photos"] {
			if fh.Size > 0 {
				values["_photos"] = "1"
			}
		}
	} else {
		for _, k := range append(formFields, "idempotency_key") {
			values[k] = strings.Clone(c.FormValue(k))
		}
		sub.Input, err = formInput(func(k string) string { return values[k] })
		sub.IdempotencyKey = values["idempotency_key"]
	}
	if err == nil {
		if sub.Input.Channel != shian.ChannelQR {
			sub.Input.Channel = shian.ChannelWeb
		}
		if sub.Input.Lang == "" {
			sub.Input.Lang = lang
		}
		// A refusal by the complaint limits is shown on the form like any other error.
		sub.ClientIP = s.edge.ClientIP(c).String()
		var filed *shian.FiledComplaint
		if filed, err = s.complaints.File(c.UserContext(), sub); err == nil {
			return s.renderPage(c, fiber.StatusOK, "complaint_done", s.donePage(lang, filed))
		}
	}
	idem := sub.IdempotencyKey
	if !strings.HasPrefix(idem, "form-") || len(idem) > 40 {
		idem = formKey()
	}
	delete(values, "idempotency_key")
	f := s.newComplaintForm(c, lang, values)
	f.IdemKey, f.HadPhotos = idem, values["_photos"] != ""
	p := s.edge.Fail(c, err) // the one error path, shown on the form
	f.Error, f.ErrorField = p.Detail, p.Field
	return s.renderPage(c, p.Status, "complaint_form", f)
}

type donePage struct {
	Lang, Path                         string
	Ticket, Receipt, Hint, Office, Due string
}

func (s *Server) donePage(lang string, f *shian.FiledComplaint) *donePage {
	v := newFiledView(f, lang)
	p := &donePage{Lang: lang, Path: "/complaints/new", Ticket: f.Ticket, Receipt: f.Receipt, Hint: v.LookupHint,
		Office: f.Names.In(lang)}
	switch {
	case !f.AcceptDue.IsZero():
		p.Due = web.T(lang, "complaint.done.due.accept", pageTime(f.AcceptDue))
	case !f.VerifyDue.IsZero():
		p.Due = web.T(lang, "complaint.done.due.verify", pageTime(f.VerifyDue))
	}
	return p
}

func pageTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shian.CST).Format("2006-01-02 15:04")
}

type trackPage struct {
	Lang, Path string
	Ticket     string
	Error      string
	Notice     string
	T          *shian.ComplaintTracking
	Proof      shian.TrackingProof
	StatusName string
	Office     string
	Filed      string
	Due        string
	Events     []trackEvent
}

type trackEvent struct{ At, What, Note string }

// complaintTrackPage is GET and POST /complaints/track: a form for the
// ticket and a proof (POSTed, so the proof stays out of URLs and logs),
// the status and public timeline, and the rating form once rateable.
func (s *Server) complaintTrackPage(c *fiber.Ctx) error {
	lang := edge.Lang(c)
	p := &trackPage{Lang: lang, Path: "/complaints/track", Ticket: strings.Clone(c.Query("ticket"))}
	if c.Method() != fiber.MethodPost {
		return s.renderPage(c, fiber.StatusOK, "complaint_track", p)
	}
	p.Ticket = strings.Clone(c.FormValue("ticket"))
	p.Proof = proofFrom(func(k string) string { return c.FormValue(k) })
	ctx := c.UserContext()
	status := fiber.StatusOK
	fail := func(err error) {
		pr := s.edge.Fail(c, err) // the one error path, shown on the page
		status, p.Error = pr.Status, pr.Detail
	}
	if c.FormValue("action") == "rate" {
		stars, _ := strconv.Atoi(c.FormValue("stars"))
		comment := strings.Clone(c.FormValue("comment"))
		if err := s.edge.TrackGuard(c, p.Ticket, p.Proof, func() error {
			return s.complaints.Rate(ctx, p.Ticket, p.Proof, stars, comment)
		}); err != nil {
			fail(err)
		}
	}
	var t *shian.ComplaintTracking
	err := s.edge.TrackGuard(c, p.Ticket, p.Proof, func() (err error) {
		t, err = s.complaints.Track(ctx, p.Ticket, p.Proof)
		return err
	})
	if err != nil {
		fail(err)
		return s.renderPage(c, status, "complaint_track", p)
	}
	p.T, p.Ticket = t, t.Ticket
	p.StatusName = shian.ComplaintStatusNames[t.Status].In(lang)
	p.Office, p.Filed = t.OfficeNames.In(lang), pageTime(t.FiledAt)
	switch {
	case !t.MediationDue.IsZero() && t.Status == shian.ComplaintMediating:
		p.Due = pageTime(t.MediationDue)
	case !t.AcceptDue.IsZero():
		p.Due = pageTime(t.AcceptDue)
	default:
		p.Due = pageTime(t.VerifyDue)
	}
	for _, e := range t.Timeline {
		what := web.T(lang, "complaint.event."+e.Type)
		if e.Type == "status" {
			what = shian.ComplaintStatusNames[e.Status].In(lang)
		}
		p.Events = append(p.Events, trackEvent{At: pageTime(e.At), What: what, Note: e.Note})
	}
	return s.renderPage(c, status, "complaint_track", p)
}
