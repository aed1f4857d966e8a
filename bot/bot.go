// Package bot is the dialogue engine behind the city's WeChat Official
// Account, the web chat and `shian chat`: one engine, channels are adapters
// around it (bot/wechat, api's chat routes, the console).
//
// A turn takes {channel, user, text | location | photo | event, lang?} and
// gives short replies (text, shop cards linking to /shops/{licence},
// numbered choices). The engine understands free-form Chinese, English and
// Russian without command syntax: shop lookups by name, pinyin, licence or
// a pasted sticker link; shops near a shared location; complaints and
// reports by slot filling, filed through the same complaint intake as the
// API (channel bot, idempotency key per conversation step); ticket status.
//
// Conversation state is saved after every turn in a Store (Redis when
// configured, else the SQL store) and expires after 30 idle minutes, so a
// restart in the middle of a complaint loses nothing.
package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shian"
)

// Channels.
const (
	ChannelWeChat  = "wechat"
	ChannelWeb     = "web"
	ChannelConsole = "console"
)

// Events a channel may deliver instead of text.
const (
	EventSubscribe = "subscribe" // the user followed the account
	EventScan      = "scan"      // the user scanned a parametric QR code
)

// IdleTimeout is how long a conversation is kept without a message.
const IdleTimeout = 30 * time.Minute

// MaxText bounds the text of one message (longer text is cut).
const MaxText = 2000

// Input is one message from a user.
type Input struct {
	Channel string
	// User identifies the person on the channel: a WeChat OpenID, a web
	// chat session, the console user. At most 128 bytes.
	User string
	// MsgID, when set, de-duplicates deliveries: the same MsgID from the
	// same user gets the first answer again and changes nothing.
	MsgID string
	Text  string
	// Location is a shared position (WeChat location message, browser).
	Location *Location
	// Photo is an image the user sent (raw bytes as received).
	Photo []byte
	// Event is subscribe or scan; EventKey is the scene of a scan.
	Event    string
	EventKey string
	// Lang is the language the client shows (web chat); the text's own
	// language wins once the user writes.
	Lang string
	// ClientIP is the web chat client's address, which a complaint filed
	// in the conversation is charged to ("" on WeChat, where the OpenID
	// is charged instead: the request comes from Tencent's servers).
	ClientIP string
	// Shop is the licence of the shop whose page the chat was opened from
	// ("Ask the city" on a shop or sticker page): it becomes the
	// conversation's context, so "这家" and "complain" need no retyping.
	Shop string
}

// Location is a WGS-84 point.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Reply is one message of the bot.
type Reply struct {
	Text    string   `json:"text,omitempty"`
	Cards   []Card   `json:"cards,omitempty"`
	Choices []Choice `json:"choices,omitempty"`
	// AskLocation says the bot waits for a location (the web chat shows a
	// "share my location" button).
	AskLocation bool `json:"ask_location,omitempty"`
}

// Card is a shop as the bot shows it.
type Card struct {
	N          int      `json:"n,omitempty"` // its number when the user may pick it
	Licence    string   `json:"licence"`
	Name       string   `json:"name"`
	District   string   `json:"district"`
	Address    string   `json:"address"`
	Grade      string   `json:"grade"` // dynamic grade code
	GradeLabel string   `json:"grade_label"`
	GradeDate  string   `json:"grade_date,omitempty"`
	Annual     string   `json:"annual,omitempty"`
	Status     string   `json:"status"`
	DistanceM  *float64 `json:"distance_m,omitempty"`
	URL        string   `json:"url"`
	Face       string   `json:"face,omitempty"`
	// Actions are the card's buttons: pick it (when numbered), complain
	// about it, open its page.
	Actions []Action `json:"actions,omitempty"`
}

// Action is a button on a card: Text is sent as the user's message when
// set, else URL is opened.
type Action struct {
	Label string `json:"label"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Choice is a numbered answer the user may give.
type Choice struct {
	N     int    `json:"n"`
	Label string `json:"label"`
}

// Searcher answers shop searches (search.Service).
type Searcher interface {
	Search(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, bool, error)
}

// Shops reads shops from the system of record.
type Shops interface {
	ShopByLicence(ctx context.Context, licence string) (*shian.Shop, error)
	ShopByID(ctx context.Context, id int64) (*shian.Shop, error)
}

// Complaints is the one complaint intake (complaints.Service).
type Complaints interface {
	File(ctx context.Context, sub shian.ComplaintSubmission) (*shian.FiledComplaint, error)
	Track(ctx context.Context, ticket string, p shian.TrackingProof) (*shian.ComplaintTracking, error)
	Rate(ctx context.Context, ticket string, p shian.TrackingProof, stars int, comment string) error
}

// Stickers verifies the token of a door-sticker link (qrcodes.Signer via cmd).
type Stickers interface {
	Verify(token string) (shopID int64, version int, err error)
}

// Store keeps conversation state and de-duplicates deliveries. Data is
// opaque to the store. Implementations: store/sqlstore.DB and
// bot/redisstore.Store.
type Store interface {
	// LoadBotState returns the state saved for key. Errors: ENOTFOUND when
	// there is none or it has expired.
	LoadBotState(ctx context.Context, key string) ([]byte, error)
	// SaveBotState saves the state of key for ttl from now.
	SaveBotState(ctx context.Context, key string, data []byte, ttl time.Duration) error
	// ClaimBotMessage records a delivery; first is false when key was
	// claimed before, with the reply saved for it (nil while the first
	// delivery is still being answered).
	ClaimBotMessage(ctx context.Context, key string, ttl time.Duration) (first bool, reply []byte, err error)
	// SaveBotReply stores the answer to a claimed delivery.
	SaveBotReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error
}

// Config is what New needs. Search, Shops, Complaints and Store are required.
type Config struct {
	Search     Searcher
	Shops      Shops
	Complaints Complaints
	Store      Store
	// Stickers verifies pasted sticker links; nil ignores them.
	Stickers Stickers
	// PublicURL prefixes shop links (SHIAN_PUBLIC_URL).
	PublicURL string
	// Allow, when set, rate-limits messages per user (ratelimit's bot_user
	// policy, wired by cmd); a refused message gets a short "slow down".
	Allow func(ctx context.Context, channel, user string) bool
	// IdleTimeout overrides IdleTimeout (tests).
	IdleTimeout time.Duration
	Log         *slog.Logger
	Now         func() time.Time
}

// Engine runs conversations. It is safe for concurrent use; turns of one
// user are serialised within the process.
type Engine struct {
	search     Searcher
	shops      Shops
	complaints Complaints
	store      Store
	stickers   Stickers
	publicURL  string
	allow      func(ctx context.Context, channel, user string) bool
	idle       time.Duration
	log        *slog.Logger
	now        func() time.Time
	locks      [64]sync.Mutex
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Search == nil || cfg.Shops == nil || cfg.Complaints == nil || cfg.Store == nil {
		return nil, errors.New("bot: Search, Shops, Complaints and Store are required")
	}
	e := &Engine{search: cfg.Search, shops: cfg.Shops, complaints: cfg.Complaints, store: cfg.Store, stickers: cfg.Stickers,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), allow: cfg.Allow, idle: cfg.IdleTimeout, log: cfg.Log, now: cfg.Now}
	if e.idle <= 0 {
		e.idle = IdleTimeout
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// dedupKeep is how long a delivery's answer is kept for retries (WeChat
// retries three times within about 15 s).
const dedupKeep = 10 * time.Minute

// Handle answers one message. Errors are for the channel to log; the user
// gets a polite reply in every case the engine can handle. Errors:
// EINVALID (no user, bad channel), EUNAVAILABLE (state store down).
func (e *Engine) Handle(ctx context.Context, in Input) ([]Reply, error) {
	if in.User == "" || len(in.User) > 128 || !utf8.ValidString(in.User) {
		return nil, shian.FieldError("user", "must be 1–128 bytes of text")
	}
	switch in.Channel {
	case ChannelWeChat, ChannelWeb, ChannelConsole:
	default:
		return nil, shian.FieldError("channel", "unknown channel %q", in.Channel)
	}
	in.Text = cleanText(in.Text)
	var msgKey string
	if in.MsgID != "" {
		if len(in.MsgID) > 64 {
			return nil, shian.FieldError("msg_id", "is longer than 64 bytes")
		}
		msgKey = "msg:" + in.Channel + ":" + userHash(in.Channel, in.User) + ":" + in.MsgID
		first, reply, err := e.store.ClaimBotMessage(ctx, msgKey, dedupKeep)
		if err != nil {
			return nil, fmt.Errorf("bot: claim message: %w", err)
		}
		if !first {
			return e.replay(ctx, msgKey, reply)
		}
	}

	if e.allow != nil && !e.allow(ctx, in.Channel, in.User) {
		lang, _ := detectLang(norm(in.Text))
		if lang == "" {
			lang = in.Lang
		}
		out := []Reply{{Text: tr(lang, "rate_limited")}}
		if msgKey != "" {
			raw, _ := json.Marshal(out)
			_ = e.store.SaveBotReply(ctx, msgKey, raw, dedupKeep)
		}
		return out, nil
	}

	lock := &e.locks[lockIndex(in.Channel, in.User)]
	lock.Lock()
	defer lock.Unlock()

	key := "state:" + in.Channel + ":" + userHash(in.Channel, in.User)
	st, err := e.load(ctx, key)
	if err != nil {
		return nil, err
	}
	t := &turn{e: e, ctx: ctx, in: in, st: st, now: e.now()}
	t.run()
	st.Updated = t.now
	data, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("bot: encode state: %w", err)
	}
	if err := e.store.SaveBotState(ctx, key, data, e.idle); err != nil {
		return nil, fmt.Errorf("bot: save state: %w", err)
	}
	if msgKey != "" {
		raw, _ := json.Marshal(t.out)
		if err := e.store.SaveBotReply(ctx, msgKey, raw, dedupKeep); err != nil {
			e.log.Warn("bot: reply not saved for duplicate deliveries", "err", err)
		}
	}
	return t.out, nil
}

// StartWithShop opens (or carries on) a conversation with the shop of a
// licence in context and shows its card: the web chat opened from a shop
// or sticker page calls it before the first message. Errors as Handle;
// an unknown licence is answered, not an error.
func (e *Engine) StartWithShop(ctx context.Context, channel, user, licence string) ([]Reply, error) {
	return e.Handle(ctx, Input{Channel: channel, User: user, Shop: licence})
}

// replay answers a repeated delivery with the first answer, waiting a
// little while the first one is still being processed.
func (e *Engine) replay(ctx context.Context, msgKey string, reply []byte) ([]Reply, error) {
	for i := 0; reply == nil && i < 30; i++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		_, r, err := e.store.ClaimBotMessage(ctx, msgKey, dedupKeep)
		if err != nil {
			return nil, fmt.Errorf("bot: claim message: %w", err)
		}
		reply = r
	}
	if reply == nil {
		return nil, nil // still busy: the first delivery answers
	}
	var out []Reply
	if err := json.Unmarshal(reply, &out); err != nil {
		return nil, fmt.Errorf("bot: decode saved reply: %w", err)
	}
	return out, nil
}

func (e *Engine) load(ctx context.Context, key string) (*State, error) {
	data, err := e.store.LoadBotState(ctx, key)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return &State{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("bot: load state: %w", err)
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		e.log.Warn("bot: unreadable conversation state; starting over", "err", err)
		return &State{}, nil
	}
	if !st.Updated.IsZero() && e.now().Sub(st.Updated) > e.idle {
		return &State{Lang: st.Lang, LangFixed: st.LangFixed}, nil
	}
	return &st, nil
}

// userHash names a user in keys: it keeps OpenIDs and sessions out of
// key names and idempotency keys.
func userHash(channel, user string) string {
	h := sha256.Sum256([]byte(channel + "\x00" + user))
	return hex.EncodeToString(h[:12])
}

func lockIndex(channel, user string) int {
	h := fnv.New32a()
	h.Write([]byte(channel))
	h.Write([]byte{0})
	h.Write([]byte(user))
	return int(h.Sum32() % 64)
}

// cleanText makes message text safe to work with: valid UTF-8, no control
// characters except new lines, at most MaxText characters, trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == MaxText {
			break
		}
		if r < 0x20 && r != '\n' || r == 0x7f {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// Plain renders replies as one text message for text-only channels
// (WeChat passive replies, the console).
func Plain(replies []Reply) string {
	var parts []string
	for _, r := range replies {
		var b strings.Builder
		if r.Text != "" {
			b.WriteString(r.Text)
		}
		for _, c := range r.Cards {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(c.plain())
		}
		for _, c := range r.Choices {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d. %s", c.N, c.Label)
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	return strings.Join(parts, "\n\n")
}

func (c Card) plain() string {
	var b strings.Builder
	if c.N > 0 {
		fmt.Fprintf(&b, "%d. ", c.N)
	}
	b.WriteString(c.Name)
	if c.District != "" {
		b.WriteString(" · " + c.District)
	}
	b.WriteString("\n")
	if c.Face != "" {
		b.WriteString(c.Face + " ")
	}
	b.WriteString(c.GradeLabel)
	if c.GradeDate != "" {
		b.WriteString(" (" + c.GradeDate + ")")
	}
	if c.Annual != "" {
		b.WriteString(" · " + c.Annual)
	}
	if c.DistanceM != nil {
		b.WriteString(" · " + distance(*c.DistanceM))
	}
	b.WriteString("\n" + c.URL)
	return b.String()
}

func distance(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", int(m+0.5))
	}
	return fmt.Sprintf("%.1f km", m/1000)
}
