package api

import (
	"encoding/xml"
	"strings"
	"time"

	"shian/edge"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// Open311 GeoReport v2 under /open311/v2/: the complaint categories are its
// services; partners file with an api_key issued by `shian apikey add`.
// Every request listing is scoped to the partner's own requests: complaints
// are personal, and the public has no business listing them.

// Open311Service is one entry of services.json|xml.
type Open311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

// Open311Attribute is an extra field of a service definition, sent as
// attribute[CODE] when filing.
type Open311Attribute struct {
	XMLName             xml.Name       `json:"-" xml:"attribute"`
	Variable            bool           `json:"variable" xml:"variable"`
	Code                string         `json:"code" xml:"code"`
	Datatype            string         `json:"datatype" xml:"datatype"`
	Required            bool           `json:"required" xml:"required"`
	DatatypeDescription string         `json:"datatype_description" xml:"datatype_description"`
	Order               int            `json:"order" xml:"order"`
	Description         string         `json:"description" xml:"description"`
	Values              []Open311Value `json:"values,omitempty" xml:"values>value,omitempty"`
}

// Open311Value is one choice of a list attribute.
type Open311Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// Open311Definition is services/{code}.json|xml.
type Open311Definition struct {
	XMLName     xml.Name           `json:"-" xml:"service_definition"`
	ServiceCode string             `json:"service_code" xml:"service_code"`
	Attributes  []Open311Attribute `json:"attributes" xml:"attributes>attribute"`
}

// Open311Request is one service request as GET requests returns it.
type Open311Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

// Open311Created is the answer to POST requests.
type Open311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string   `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id"`
}

// Open311Error is one entry of the spec's error array.
type Open311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type xmlList[T any] struct {
	XMLName xml.Name
	Items   []T
}

func (l xmlList[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Name = l.XMLName
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, it := range l.Items {
		if err := e.Encode(it); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// open311Format checks the :format suffix.
func open311Format(c *fiber.Ctx) (string, bool) {
	f := c.Params("format")
	return f, f == "json" || f == "xml"
}

// open311Send answers items in the request's format (JSON for an unknown
// one): a JSON array, or an XML root element wrapping the items.
func open311Send[T any](c *fiber.Ctx, status int, root string, items []T) error {
	format, _ := open311Format(c)
	c.Status(status)
	if format == "xml" {
		b, err := xml.Marshal(xmlList[T]{XMLName: xml.Name{Local: root}, Items: items})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
		return c.Send(append([]byte(xml.Header), b...))
	}
	if items == nil {
		items = []T{}
	}
	return c.JSON(items)
}

func open311SendOne(c *fiber.Ctx, v any) error {
	format, _ := open311Format(c)
	if format == "xml" {
		b, err := xml.Marshal(v)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
		return c.Send(append([]byte(xml.Header), b...))
	}
	return c.JSON(v)
}

// open311Fail answers an error as the spec's array of {code, description},
// with the status its code maps to.
func (s *Server) open311Fail(c *fiber.Ctx, err error) error {
	p := s.edge.Fail(c, err)
	if p.Code == shian.EUNAUTHORIZED {
		p.Status = fiber.StatusForbidden // the spec's status for a bad api_key
	}
	return open311Send(c, p.Status, "errors", []Open311Error{{Code: p.Status, Description: p.Detail}})
}

func badFormat() error {
	return &shian.Error{Code: shian.ENOTFOUND, Message: "format must be json or xml", Key: "not_found"}
}

func (s *Server) open311Services(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	lang := edge.Lang(c)
	var out []Open311Service
	for _, cat := range shian.ComplaintCategories {
		out = append(out, Open311Service{ServiceCode: cat.Code, ServiceName: cat.Names.In(lang),
			Description: cat.Names.In(lang) + " (" + cat.Names.EN + ")", Metadata: true, Type: "realtime",
			Keywords: cat.Names.ZH + ", " + cat.Names.EN + ", " + cat.Names.RU, Group: "food_safety"})
	}
	return open311Send(c, fiber.StatusOK, "services", out)
}

// open311Attributes are the extra fields every service takes.
func open311Attributes() []Open311Attribute {
	return []Open311Attribute{
		{Variable: true, Code: "kind", Datatype: "singlevaluelist", Required: false, Order: 1,
			DatatypeDescription: "complaint (a consumer dispute; first_name/last_name and phone required) or report (a violation; may be anonymous). Default: complaint when a phone is given, else report.",
			Description:         "投诉或举报 / Complaint or report",
			Values:              []Open311Value{{Key: shian.KindComplaint, Name: "投诉 Complaint"}, {Key: shian.KindReport, Name: "举报 Report"}}},
		{Variable: true, Code: "licence", Datatype: "string", Order: 2, DatatypeDescription: "6–32 capital letters or digits",
			Description: "许可证号 / Shop licence number"},
		{Variable: true, Code: "shop_name", Datatype: "string", Order: 3, Description: "商户名称 / Shop name (when the licence is not known)"},
		{Variable: true, Code: "occurred_at", Datatype: "datetime", Order: 4, Description: "发生时间 / When it happened (ISO 8601)"},
		{Variable: true, Code: "order_no", Datatype: "string", Order: 5, Description: "订单号 / Online order number"},
	}
}

func (s *Server) open311Service(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	code := strings.Clone(c.Params("code"))
	if _, ok := shian.LookupComplaintCategory(code); !ok {
		return s.open311Fail(c, &shian.Error{Code: shian.ENOTFOUND, Message: "unknown service_code", Key: "not_found"})
	}
	return open311SendOne(c, Open311Definition{ServiceCode: code, Attributes: open311Attributes()})
}

// Open311Input maps GeoReport v2 create-request fields to a complaint:
// service_code → category, long → lng, address_string → shop address,
// first_name + last_name → contact name, attribute[…] → the other fields.
// email, device_id, account_id and media_url are not kept (the service
// fetches no remote media); status and priority do not exist for clients.
func Open311Input(get func(string) string) (shian.ComplaintInput, error) {
	in := shian.ComplaintInput{Category: get("service_code"), Description: get("description"),
		ShopAddress: get("address_string"), ContactPhone: get("phone"), Kind: get("attribute[kind]"),
		Licence: get("attribute[licence]"), ShopName: get("attribute[shop_name]"), OrderNo: get("attribute[order_no]"),
		Channel: shian.ChannelOpen311}
	in.ContactName = strings.TrimSpace(strings.TrimSpace(get("last_name")) + strings.TrimSpace(get("first_name")))
	if f, l := strings.TrimSpace(get("first_name")), strings.TrimSpace(get("last_name")); isLatinName(f + l) {
		in.ContactName = strings.TrimSpace(f + " " + l)
	}
	if in.Kind == "" {
		in.Kind = shian.KindReport
		if strings.TrimSpace(in.ContactPhone) != "" {
			in.Kind = shian.KindComplaint
		}
	}
	var err error
	if in.Lat, in.Lng, in.HasGeo, err = parseGeo(get("lat"), get("long"), "lat", "long"); err != nil {
		return in, err
	}
	in.OccurredAt, err = parseOccurred(get("attribute[occurred_at]"))
	return in, err
}

// isLatinName: Western names are "first last", Chinese ones 姓名 (last first).
func isLatinName(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 {
			return false
		}
	}
	return true
}

func (s *Server) partner(c *fiber.Ctx) (string, error) {
	key := strings.Clone(c.FormValue("api_key"))
	if key == "" {
		key = strings.Clone(c.Query("api_key"))
	}
	return s.complaints.Partner(c.UserContext(), key)
}

func (s *Server) open311Create(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	partner, err := s.partner(c)
	if err != nil {
		return s.open311Fail(c, err)
	}
	in, err := Open311Input(func(k string) string { return strings.Clone(c.FormValue(k)) })
	if err != nil {
		return s.open311Fail(c, err)
	}
	in.Lang = edge.Lang(c)
	sub := shian.ComplaintSubmission{Input: in, Partner: partner, IdempotencyKey: strings.Clone(c.Get("Idempotency-Key"))}
	f, err := s.complaints.File(c.UserContext(), sub)
	if err != nil {
		return s.open311Fail(c, err)
	}
	if f.Replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	notice := newFiledView(f, f.Lang).LookupHint
	return open311Send(c, fiber.StatusCreated, "service_requests", []Open311Created{{ServiceRequestID: f.Ticket, ServiceNotice: notice}})
}

// open311Status maps a complaint status to GeoReport's open or closed:
// closed once handling has an outcome.
func open311Status(status string) string {
	if shian.Rateable(status) {
		return "closed"
	}
	return "open"
}

func (s *Server) open311View(c *shian.Complaint, lang string) Open311Request {
	cat, _ := shian.LookupComplaintCategory(c.Category)
	office, _ := s.complaints.Office(c.Office)
	due := c.AcceptDue
	if c.Kind == shian.KindReport {
		due = c.VerifyDue
	}
	r := Open311Request{ServiceRequestID: c.Ticket, Status: open311Status(c.Status),
		StatusNotes: shian.ComplaintStatusNames[c.Status].In(lang), ServiceName: cat.Names.In(lang), ServiceCode: c.Category,
		Description: c.Description, AgencyResponsible: office.In(lang), RequestedDatetime: timeText(c.CreatedAt),
		UpdatedDatetime: timeText(c.UpdatedAt), ExpectedDatetime: timeText(due), Address: c.ShopAddress}
	if r.Address == "" {
		r.Address = c.ShopName
	}
	if c.HasGeo {
		lat, lng := c.Lat, c.Lng
		r.Lat, r.Long = &lat, &lng
	}
	return r
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Clone(p))
		}
	}
	return out
}

// open311Requests is GET requests: the partner's own requests, filtered.
func (s *Server) open311Requests(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	partner, err := s.partner(c)
	if err != nil {
		return s.open311Fail(c, err)
	}
	f := shian.ComplaintFilter{Partner: partner, Limit: 1000, Categories: splitList(c.Query("service_code"))}
	for _, id := range splitList(c.Query("service_request_id")) {
		t, ok := shian.ParseTicket(id)
		if !ok {
			t = id // matches nothing
		}
		f.Tickets = append(f.Tickets, t)
	}
	for _, st := range splitList(c.Query("status")) {
		switch st {
		case "open":
			f.Statuses = append(f.Statuses, shian.ComplaintReceived, shian.ComplaintAccepted, shian.ComplaintMediating, shian.ComplaintVerifying)
		case "closed":
			for code := range shian.ComplaintStatusNames {
				if shian.Rateable(code) {
					f.Statuses = append(f.Statuses, code)
				}
			}
		default:
			return s.open311Fail(c, badParam("status", "open or closed"))
		}
	}
	for name, dst := range map[string]*time.Time{"start_date": &f.From, "end_date": &f.To} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return s.open311Fail(c, badParam(name, "an ISO 8601 date and time, e.g. 2026-07-01T00:00:00+08:00"))
			}
			*dst = t
		}
	}
	if f.From.IsZero() && len(f.Tickets) == 0 {
		f.From = s.now().Add(-90 * 24 * time.Hour) // the spec's default window
	}
	list, err := s.complaints.List(c.UserContext(), f)
	if err != nil {
		return s.open311Fail(c, err)
	}
	lang := edge.Lang(c)
	out := make([]Open311Request, 0, len(list))
	for _, cp := range list {
		out = append(out, s.open311View(cp, lang))
	}
	return open311Send(c, fiber.StatusOK, "service_requests", out)
}

func (s *Server) open311One(c *fiber.Ctx, id string) (*shian.Complaint, error) {
	partner, err := s.partner(c)
	if err != nil {
		return nil, err
	}
	t, ok := shian.ParseTicket(id)
	notFound := &shian.Error{Code: shian.ENOTFOUND, Message: "no such service request", Key: "not_found"}
	if !ok {
		return nil, notFound
	}
	list, err := s.complaints.List(c.UserContext(), shian.ComplaintFilter{Partner: partner, Tickets: []string{t}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound
	}
	return list[0], nil
}

func (s *Server) open311Request(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	cp, err := s.open311One(c, pathParam(c, "id"))
	if err != nil {
		return s.open311Fail(c, err)
	}
	return open311Send(c, fiber.StatusOK, "service_requests", []Open311Request{s.open311View(cp, edge.Lang(c))})
}

// open311Token: requests are created synchronously, so a token is the
// service_request_id itself.
func (s *Server) open311Token(c *fiber.Ctx) error {
	if _, ok := open311Format(c); !ok {
		return s.open311Fail(c, badFormat())
	}
	cp, err := s.open311One(c, pathParam(c, "token"))
	if err != nil {
		return s.open311Fail(c, err)
	}
	return open311Send(c, fiber.StatusOK, "service_requests", []Open311Created{{ServiceRequestID: cp.Ticket, Token: cp.Ticket}})
}
