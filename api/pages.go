package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"shian"
	"shian/views"
	"shian/web"
)

// Stickers verifies the signed tokens printed in door-sticker QR codes.
type Stickers interface {
	// Verify returns the shop id and sticker version a token was issued
	// for; ENOTFOUND or EINVALID when the city did not issue it.
	Verify(token string) (shopID int64, version int, err error)
}

// ScanRecorder stores daily sticker scan counts.
type ScanRecorder interface {
	AddScans(ctx context.Context, day string, counts map[int64]int) error
	ShopScans(ctx context.Context, shopID int64, from string) ([]shian.DailyScans, error)
}

// shopPage is the data of the shop page and the sticker landing page.
type shopPage struct {
	Lang, Path  string
	Shop        *shian.Shop
	Grade       shian.Grade
	Face        string
	GradeClass  string
	Category    string
	District    string
	Inspections []InspectionView
	Verified    bool
	Outdated    bool
	Channel     string
}

func newShopPage(lang, path string, s *shian.Shop) *shopPage {
	cat, _ := shian.LookupCode(shian.ShopCategories, s.Category)
	dist, _ := shian.LookupCode(shian.Districts, s.District)
	p := &shopPage{Lang: lang, Path: path, Shop: s, Grade: s.Grade, Category: cat.Names.In(lang), District: dist.Names.In(lang),
		GradeClass: s.Grade.Dynamic, Channel: "web"}
	if s.Status == shian.StatusOpen {
		p.Face = shian.Face(s.Grade.Dynamic)
	} else {
		p.GradeClass = "not_open"
	}
	for i, in := range s.Inspections {
		if i == 3 {
			break
		}
		p.Inspections = append(p.Inspections, newInspectionView(in))
	}
	return p
}

// sendHTML answers with a rendered page.
func (s *Server) sendHTML(c *fiber.Ctx, status int, body []byte) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, Lang(c))
	c.Set(fiber.HeaderVary, "Accept-Language")
	return c.Send(body)
}

func (s *Server) renderBytes(page string, data any) ([]byte, error) {
	var buf bytes.Buffer
	err := s.pages.Render(&buf, page, data)
	return buf.Bytes(), err
}

// shopPageHandler serves /shops/{licence}, the shop's public page.
func (s *Server) shopPageHandler(c *fiber.Ctx) error {
	lang := Lang(c)
	licence := strings.ToUpper(strings.Clone(c.Params("licence")))
	if !shian.ValidLicence(licence) {
		return s.notFoundPage(c, lang)
	}
	body, err := s.views.Answer(c.UserContext(), licence, "page:"+lang, func(ctx context.Context) ([]byte, error) {
		shop, err := s.store.ShopByLicence(ctx, licence)
		if err != nil {
			return nil, err
		}
		return s.renderBytes("shop", newShopPage(lang, "/shops/"+licence, shop))
	})
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return s.notFoundPage(c, lang)
	} else if err != nil {
		return err
	}
	return s.sendHTML(c, 200, body)
}

func (s *Server) notFoundPage(c *fiber.Ctx, lang string) error {
	body, err := s.renderBytes("notfound", map[string]string{"Lang": lang, "Path": c.Path()})
	if err != nil {
		return err
	}
	return s.sendHTML(c, fiber.StatusNotFound, body)
}

// sticker resolves a token to its shop; ok is false for a code the city
// did not issue (or whose shop is gone).
func (s *Server) sticker(c *fiber.Ctx) (shop *shian.Shop, outdated bool, token string, err error) {
	token = strings.ToUpper(strings.Clone(c.Params("token")))
	if s.stickers == nil || len(token) > 64 {
		return nil, false, token, nil
	}
	id, version, ok := s.verifySticker(token)
	if !ok {
		return nil, false, token, nil
	}
	shop, err = s.shopByID(c.UserContext(), id)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, false, token, nil
	} else if err != nil {
		return nil, false, token, err
	}
	s.scans.add(shop.ID)
	return shop, version < shop.StickerVersion, token, nil
}

// verifySticker verifies a token, remembering the tokens that verified: a
// sticker is scanned again and again, and its MAC need not be recomputed.
// Only valid tokens are kept (forgeries cannot fill the memory), and the
// memory is dropped whole when it holds more than maxVerified.
func (s *Server) verifySticker(token string) (id int64, version int, ok bool) {
	if v, hit := s.verified.Load(token); hit {
		c := v.(claims)
		return c.id, c.version, true
	}
	id, version, err := s.stickers.Verify(token)
	if err != nil {
		return 0, 0, false
	}
	if s.verifiedN.Add(1) > maxVerified {
		s.verified.Clear()
		s.verifiedN.Store(0)
	}
	s.verified.Store(token, claims{id, version})
	return id, version, true
}

const maxVerified = 100_000

type claims struct {
	id      int64
	version int
}

// shopByID reads a shop by id: one lookup of its view row in the store
// (never search), so the landing page works with Meilisearch down.
func (s *Server) shopByID(ctx context.Context, id int64) (*shian.Shop, error) {
	return s.store.ShopByID(ctx, id)
}

// landing serves /s/{token}: the page a tourist sees after scanning.
func (s *Server) landing(c *fiber.Ctx) error {
	lang := Lang(c)
	if body, ok := s.stickerPage(c, lang); ok {
		return s.sendHTML(c, 200, body)
	}
	gen := s.views.Gen()
	shop, outdated, token, err := s.sticker(c)
	if err != nil {
		return err
	}
	if shop == nil {
		body, err := s.renderBytes("qr_unknown", map[string]string{"Lang": lang, "Path": c.Path()})
		if err != nil {
			return err
		}
		return s.sendHTML(c, fiber.StatusNotFound, body)
	}
	p := newShopPage(lang, "/s/"+token, shop)
	p.Verified, p.Outdated, p.Channel = true, outdated, "qr"
	body, err := s.renderBytes("shop", p)
	if err != nil {
		return err
	}
	_, version, _ := s.verifySticker(token)
	s.views.Put(views.IDGroup(shop.ID), stickerVariant(lang, version), body, gen)
	return s.sendHTML(c, 200, body)
}

// qrJSON serves /api/v1/qr/{token}.
func (s *Server) qrJSON(c *fiber.Ctx) error {
	shop, outdated, _, err := s.sticker(c)
	if err != nil {
		return err
	}
	if shop == nil {
		c.Status(fiber.StatusNotFound)
		return c.JSON(fiber.Map{"valid": false, "outdated": false, "shop": nil,
			"detail": web.T(Lang(c), "qr.unknown.body")})
	}
	return c.JSON(fiber.Map{"valid": true, "outdated": outdated, "shop": NewShopView(shop, 3)})
}

// scanCounter counts scans in memory and flushes them to the store every
// few seconds, so that a scan costs no write.
type scanCounter struct {
	mu     sync.Mutex
	counts map[int64]int
}

func (sc *scanCounter) add(id int64) {
	sc.mu.Lock()
	sc.counts[id]++
	sc.mu.Unlock()
}

func (sc *scanCounter) take() map[int64]int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	out := sc.counts
	sc.counts = map[int64]int{}
	return out
}

// FlushScans writes the scans counted so far; serve calls it on a ticker
// and at shutdown.
func (s *Server) FlushScans(ctx context.Context) error {
	counts := s.scans.take()
	if len(counts) == 0 || s.scanStore == nil {
		return nil
	}
	day := s.now().In(shian.CST).Format(shian.DateLayout)
	if err := s.scanStore.AddScans(ctx, day, counts); err != nil {
		// Put them back: a store hiccup must not lose counts.
		s.scans.mu.Lock()
		for id, n := range counts {
			s.scans.counts[id] += n
		}
		s.scans.mu.Unlock()
		return err
	}
	return nil
}

func staticHandler() fiber.Handler {
	return filesystem.New(filesystem.Config{Root: http.FS(web.Static()), MaxAge: 3600})
}
