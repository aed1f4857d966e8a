package shian

import (
	"math"
	"time"
)

// How a complaint's shop was found (ShopResolution.Outcome): the licence
// given, a confident match of the name typed, candidates an officer
// confirms, or none.
const (
	ShopByLicence    = "licence"
	ShopMatched      = "match"
	ShopCandidates   = "candidates"
	ShopUnresolved   = "none"
	ShopConfirmed    = "confirmed" // an officer chose the shop (ConfirmShop)
	MaxShopCandidate = 5
)

// ShopResolution records how the shop of a complaint filed without a
// licence was resolved (package resolve), so that the case page can say
// why a shop is on it, or ask the officer to choose among the candidates.
type ShopResolution struct {
	Outcome    string   `json:"outcome,omitempty"`
	Confidence float64  `json:"confidence,omitempty"` // 0–1, of the best candidate
	Reasons    []string `json:"reasons,omitempty"`    // the fields that agreed: name, name_sound, address, location …
	Candidates []string `json:"candidates,omitempty"` // licences, best first (at most MaxShopCandidate)
	// ConfirmedBy is the officer who chose the shop among the candidates.
	ConfirmedBy string `json:"confirmed_by,omitempty"`
}

// ReadingSignal is one kind of signal the service read in a complaint's
// words, with the words that raised it (package reading).
type ReadingSignal struct {
	Kind  string   `json:"kind"`
	Words []string `json:"words"`
}

// ComplaintReading is the service's reading of a complaint, kept beside
// the category the person chose (Complaint.SubmittedCategory) so that the
// queue and the case page show both: the suggested category and priority,
// the signals with their words, those the writer denied, and why the
// priority is what it is ("urgent because: рвота, температура").
type ComplaintReading struct {
	Category string          `json:"category,omitempty"`
	Priority string          `json:"priority,omitempty"`
	Signals  []ReadingSignal `json:"signals,omitempty"`
	Denied   []ReadingSignal `json:"denied,omitempty"`
	Why      string          `json:"why,omitempty"`
}

// Differs reports whether the reading suggests another category than the
// one submitted: the queue then shows both.
func (c *Complaint) ReadingDiffers() bool {
	return c.Reading.Category != "" && c.Reading.Category != c.SubmittedCategory
}

// Probable reports whether the complaint sits in no district's queue but
// its district is probable (the candidates' shops, its words): the
// district's officers see it, marked "probable".
func (c *Complaint) Probable() bool { return c.District == "" && c.ProbableDistrict != "" }

// PublicRequest is what anyone may see of a complaint without proof, as
// Open311's GET requests.json and requests/{id}.json answer it: no
// description, names, phones, photos, shop or exact point. A partner's key
// adds nothing personal either.
type PublicRequest struct {
	ID          string    `json:"service_request_id"`
	Status      string    `json:"status"` // open or closed
	StatusNotes string    `json:"status_notes,omitempty"`
	ServiceCode string    `json:"service_code"`
	ServiceName string    `json:"service_name"`
	Agency      string    `json:"agency_responsible"`
	Notice      string    `json:"service_notice,omitempty"`
	Requested   time.Time `json:"requested_datetime"`
	Updated     time.Time `json:"updated_datetime"`
	Lat         *float64  `json:"lat,omitempty"`
	Lng         *float64  `json:"long,omitempty"`
}

// PublicGridDegrees is the rounding of a public point: 0.001° is about
// 111 m of latitude (85 m of longitude at Qinhuangdao).
const PublicGridDegrees = 0.001

// PublicView projects a complaint for the public Open311 status view in
// lang (zh, en or ru): agency is the office's name in that language,
// notice the public service notice of the category. Only the fields of
// PublicRequest leave, the point rounded to PublicGridDegrees.
func (c *Complaint) PublicView(lang, agency, notice string) PublicRequest {
	p := PublicRequest{ID: c.Ticket, Status: "open", ServiceCode: c.SubmittedCategory, Agency: agency, Notice: notice,
		Requested: c.CreatedAt.UTC(), Updated: c.UpdatedAt.UTC()}
	if p.ServiceCode == "" {
		p.ServiceCode = c.Category
	}
	if cat, ok := LookupComplaintCategory(p.ServiceCode); ok {
		p.ServiceName = cat.Names.In(lang)
	}
	if c.Status == ComplaintClosed || Rateable(c.Status) {
		p.Status = "closed"
	}
	if n, ok := ComplaintStatusNames[c.Status]; ok {
		p.StatusNotes = n.In(lang)
	}
	if c.HasGeo {
		lat, lng := roundTo(c.Lat, PublicGridDegrees), roundTo(c.Lng, PublicGridDegrees)
		p.Lat, p.Lng = &lat, &lng
	}
	return p
}

func roundTo(v, step float64) float64 {
	return math.Round(math.Round(v/step)*step*1e6) / 1e6
}
