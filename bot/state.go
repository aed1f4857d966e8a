package bot

import "time"

// Steps of a conversation: what the bot waits for.
const (
	stepIdle         = ""
	stepPickShop     = "pick_shop"     // numbered shops from a lookup
	stepNearLocation = "near_location" // a location for "near me"
	stepTrackTicket  = "track_ticket"  // a ticket number
	stepTrackProof   = "track_proof"   // last 4 digits or the receipt code
	stepCShop        = "c_shop"        // complaint: which shop
	stepCPickShop    = "c_pick_shop"   // complaint: numbered shops
	stepCWhat        = "c_what"        // complaint: what happened
	stepCCategory    = "c_category"    // complaint: confirm the category
	stepCPickCat     = "c_pick_cat"    // complaint: numbered categories
	stepCWhen        = "c_when"        // complaint: when
	stepCPhoto       = "c_photo"       // complaint: optional photos
	stepCName        = "c_name"        // complaint: contact name
	stepCPhone       = "c_phone"       // complaint: contact phone
	stepCConfirm     = "c_confirm"     // complaint: summary
	stepCEdit        = "c_edit"        // complaint: which part to change
	stepTrackPick    = "track_pick"    // which of my recent tickets
	stepRateTicket   = "rate_ticket"   // rating: which ticket
	stepRateProof    = "rate_proof"    // rating: last 4 digits
	stepRateStars    = "rate_stars"    // rating: 1–5
)

// Context is what the conversation talks about: the shop last shown or
// chosen, the list last shown, the last ticket. It lets "这家", "this
// one", "его" and "the second one" point at something. It lives as long
// as the conversation (IdleTimeout) and is dropped on cancel.
type Context struct {
	Shop     string   `json:"shop,omitempty"` // licence
	ShopName string   `json:"shop_name,omitempty"`
	Picks    []string `json:"picks,omitempty"` // licences of the last list shown
	Ticket   string   `json:"ticket,omitempty"`
	// Page says the conversation was opened from Shop's page: a plain
	// "I want to complain" is about it.
	Page bool `json:"page,omitempty"`
}

// State is one user's conversation, saved after every turn.
type State struct {
	Lang string `json:"lang,omitempty"`
	// LangFixed: the user chose the language; detection no longer changes it.
	LangFixed bool   `json:"lang_fixed,omitempty"`
	Step      string `json:"step,omitempty"`
	// Conv identifies the current complaint conversation; Seq counts its
	// turns. Together with the user they make the idempotency key.
	Conv string `json:"conv,omitempty"`
	Seq  int    `json:"seq,omitempty"`
	// Picks are the shops offered as numbered choices (licences).
	Picks []string `json:"picks,omitempty"`
	// Query is what the user typed when the picks were offered.
	Query string `json:"query,omitempty"`
	// NearAnnual and NearCategory filter the pending "near me".
	NearAnnual   string `json:"near_annual,omitempty"`
	NearCategory string `json:"near_category,omitempty"`
	Ticket       string `json:"ticket,omitempty"`
	Draft        *Draft `json:"draft,omitempty"`
	// Filed is the last ticket filed in this conversation, answered again
	// when the confirmation arrives twice.
	Filed string  `json:"filed,omitempty"`
	Ctx   Context `json:"ctx,omitzero"`
	// Stars is a rating waiting for its proof (stepRateProof).
	Stars   int       `json:"stars,omitempty"`
	Updated time.Time `json:"updated"`
}

// Draft is a complaint being filled.
type Draft struct {
	Kind        string    `json:"kind"`
	Category    string    `json:"category,omitempty"`
	CategoryOK  bool      `json:"category_ok,omitempty"`
	Licence     string    `json:"licence,omitempty"`
	ShopName    string    `json:"shop_name,omitempty"`
	Description string    `json:"description,omitempty"`
	Occurred    time.Time `json:"occurred,omitzero"`
	WhenAsked   bool      `json:"when_asked,omitempty"`
	Photos      [][]byte  `json:"photos,omitempty"`
	PhotosDone  bool      `json:"photos_done,omitempty"`
	Name        string    `json:"name,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Lat         float64   `json:"lat,omitempty"`
	Lng         float64   `json:"lng,omitempty"`
	HasGeo      bool      `json:"has_geo,omitempty"`
}
