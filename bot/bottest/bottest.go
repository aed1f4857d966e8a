// Package bottest holds the scripted conversations every bot channel is
// tested with (the engine directly, the web chat and WeChat over HTTP), and
// the fixture they run against: a real SQLite store seeded with the demo
// city's landmark shops, the store-backed search, the real complaint
// intake and real sticker tokens.
package bottest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/complaints"
	"shian/qrcodes"
	"shian/search"
	"shian/seed"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
	"shian/triage"
)

// Now is the fixture's clock start: a Wednesday in the summer season.
var Now = time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)

// Clock is a settable clock shared by the store, the intake and the engine.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the current fixture time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Env is the fixture.
type Env struct {
	DB         *sqlstore.DB
	Search     *search.Service
	Complaints *complaints.Service
	Signer     *qrcodes.Signer
	Clock      *Clock
	PublicURL  string
}

// Verify implements bot.Stickers.
func (e *Env) Verify(token string) (int64, int, error) {
	c, err := e.Signer.Verify(token)
	return c.ShopID, c.Version, err
}

// Extra shops with known annual grades at one point (storetest.Shop puts
// every shop at 39.83 N, 119.48 E).
var (
	ShopA = "TESTA00001" // 蓝海酒家, annual A
	ShopB = "TESTB00002" // 星光饭店, annual B
)

// NearPoint is where ShopA and ShopB are.
var NearPoint = bot.Location{Lat: 39.83, Lng: 119.48}

// New builds the fixture in a temporary directory.
func New(tb testing.TB) *Env {
	tb.Helper()
	return NewSized(tb, 80)
}

// NewSized is New with a city of n seeded shops (benchmarks).
func NewSized(tb testing.TB, n int) *Env {
	tb.Helper()
	ctx := context.Background()
	clock := &Clock{t: Now}
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "shian.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = clock.Now
	db.Keywords = search.Keywords
	storetest.MustMigrate(tb, db)
	shops := seed.Generate(seed.Options{Shops: n, Now: Now})
	a := storetest.Shop(ShopA, "蓝海酒家", "beidaihe")
	b := storetest.Shop(ShopB, "星光饭店", "beidaihe")
	b.Annual = []shian.AnnualGrade{{Year: 2025, Grade: "B"}}
	shops = append(shops, a, b)
	if _, err := db.UpsertShops(ctx, shops); err != nil {
		tb.Fatal(err)
	}
	tri, err := triage.New(triage.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := complaints.New(complaints.Config{Store: db, Triager: tri, Secret: []byte("0123456789abcdef0123456789abcdef"),
		PhotoDir: filepath.Join(tb.TempDir(), "photos"), Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := qrcodes.NewSigner([]qrcodes.Key{{ID: 1, Secret: []byte("sticker-secret-0123456789")}})
	if err != nil {
		tb.Fatal(err)
	}
	return &Env{DB: db, Search: search.NewService(search.Config{Store: db, Now: clock.Now}), Complaints: cs, Signer: signer,
		Clock: clock, PublicURL: "http://127.0.0.1:8080"}
}

// Engine returns an engine over the fixture with the given state store.
func (e *Env) Engine(tb testing.TB, store bot.Store) *bot.Engine {
	tb.Helper()
	eng, err := bot.New(bot.Config{Search: e.Search, Shops: e.DB, Complaints: e.Complaints, Store: store, Stickers: e,
		PublicURL: e.PublicURL, Now: e.Clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// Shop returns a shop of the fixture.
func (e *Env) Shop(tb testing.TB, licence string) *shian.Shop {
	tb.Helper()
	s, err := e.DB.ShopByLicence(context.Background(), licence)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// ShopNamed returns the licence of the fixture shop with the name.
func (e *Env) ShopNamed(tb testing.TB, name string) *shian.Shop {
	tb.Helper()
	res, err := e.DB.SearchShops(context.Background(), shian.ShopQuery{Text: name, Limit: 50})
	if err != nil {
		tb.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Shop.Name == name {
			return h.Shop
		}
	}
	tb.Fatalf("no shop named %s", name)
	return nil
}

// Msg is one thing a user sends.
type Msg struct {
	Text     string
	Loc      *bot.Location
	Photo    []byte
	Event    string
	EventKey string
	// MsgID de-duplicates; the runner makes a fresh one when empty.
	MsgID string
}

// Step is a message and what its answer must (and must not) contain.
type Step struct {
	// Do, when set, changes the world before the message is sent (the
	// clock moves on, an officer closes the case); filed are the tickets
	// seen so far.
	Do   func(tb testing.TB, e *Env, filed []string)
	Send Msg
	Want []string
	Not  []string
}

// Script is a scripted conversation.
type Script struct {
	Name string
	Lang string // the user's language, for answering the photo question
	// WeChatOnly: the script sends photos or events.
	WeChatOnly bool
	Steps      []Step
	// Check looks at the store after the conversation; filed are the
	// tickets seen in the replies.
	Check func(tb testing.TB, e *Env, filed []string)
}

// Sender delivers a message as user and returns the reply as plain text.
type Sender func(tb testing.TB, user string, m Msg) string

var ticketRE = regexp.MustCompile(`QHD-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// photoAsk is the start of the photo question in each language.
var photoAsk = map[string]string{"zh": "有照片可以", "en": "You can send photos", "ru": "Можно прислать фото"}
var photoSkip = map[string]string{"zh": "没有", "en": "none", "ru": "нет"}

// Run plays every script as a subtest; wechat says the channel asks for
// photos (and can send events).
func (e *Env) Run(t *testing.T, channel string, wechat bool, send Sender) {
	for i, sc := range append(e.Scripts(t), e.ContextScripts(t)...) {
		if sc.WeChatOnly && !wechat {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			user := fmt.Sprintf("%s-user-%02d-%s", channel, i, strings.Repeat("x", 8))
			var filed []string
			last := ""
			for j, st := range sc.Steps {
				if st.Do != nil {
					st.Do(t, e, filed)
				}
				m := st.Send
				m.Text = strings.ReplaceAll(m.Text, "{ticket}", last)
				got := send(t, user, m)
				if wechat && strings.Contains(got, photoAsk[sc.Lang]) && (j+1 >= len(sc.Steps) || sc.Steps[j+1].Send.Photo == nil) {
					got += "\n" + send(t, user, Msg{Text: photoSkip[sc.Lang]})
				}
				for _, w := range st.Want {
					if !strings.Contains(got, w) {
						t.Fatalf("step %d %q: reply lacks %q:\n%s", j+1, m.Text, w, got)
					}
				}
				for _, n := range st.Not {
					if strings.Contains(got, n) {
						t.Fatalf("step %d %q: reply has %q:\n%s", j+1, m.Text, n, got)
					}
				}
				if tk := ticketRE.FindString(got); tk != "" && tk != last && !strings.Contains(m.Text, tk) {
					filed = append(filed, tk)
					last = tk
				}
			}
			if sc.Check != nil {
				sc.Check(t, e, filed)
			}
		})
	}
}

// PNG is a small valid photo.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 120, 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Complaint returns the filed complaint of a ticket.
func (e *Env) Complaint(tb testing.TB, ticket string) *shian.Complaint {
	tb.Helper()
	c, err := e.DB.ComplaintByTicket(context.Background(), ticket)
	if err != nil {
		tb.Fatalf("ticket %s: %v", ticket, err)
	}
	return c
}

func text(s string) Msg { return Msg{Text: s} }

func one(tb testing.TB, filed []string) string {
	tb.Helper()
	if len(filed) != 1 {
		tb.Fatalf("want one ticket filed, got %v", filed)
	}
	return filed[0]
}
