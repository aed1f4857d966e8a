package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"shian"
	"shian/edge"
	"shian/names"
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
	Lang, Path string
	Shop       *shian.Shop
	// Name and Address are in the visitor's language where the registry or
	// the import's generated names have them; ZHName and ZHAddress then
	// carry the Chinese beside them (for a taxi driver), marked lang="zh".
	Name, NameLang       string
	ZHName               string
	Address, AddressLang string
	ZHAddress            string
	// Findings are the failed items of each shown inspection, in the
	// visitor's language where the checklist catalog has them.
	Findings    [][]finding
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

// finding is one failed inspection item as the page shows it.
type finding struct {
	Text, Lang, Note string
}

// ItemCatalog renders an inspection finding (its catalog code, the text as
// recorded) in a language (names.Catalog).
type ItemCatalog interface {
	Render(code, text, lang string) names.Rendered
}

func (srv *Server) newShopPage(lang, path string, s *shian.Shop) *shopPage {
	cat, _ := shian.LookupCode(shian.ShopCategories, s.Category)
	dist, _ := shian.LookupCode(shian.Districts, s.District)
	p := &shopPage{Lang: lang, Path: path, Shop: s, Grade: s.Grade, Category: cat.Names.In(lang), District: dist.Names.In(lang),
		GradeClass: s.Grade.Dynamic, Channel: "web", Name: s.Name, NameLang: "zh", Address: s.Address, AddressLang: "zh"}
	visitorName := map[string]string{"en": s.NameEN, "ru": s.NameRU}[lang]
	if visitorName != "" && visitorName != s.Name {
		p.Name, p.NameLang, p.ZHName = visitorName, lang, s.Name
	}
	visitorAddr := map[string]string{"en": s.AddressEN, "ru": s.AddressRU}[lang]
	if visitorAddr != "" && visitorAddr != s.Address {
		p.Address, p.AddressLang, p.ZHAddress = visitorAddr, lang, s.Address
	}
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
		var fs []finding
		for j, text := range in.ItemsFailed {
			code := ""
			if j < len(in.ItemCodes) {
				code = in.ItemCodes[j]
			}
			f := finding{Text: text, Lang: "zh"}
			if srv.catalog != nil {
				r := srv.catalog.Render(code, text, lang)
				f = finding{Text: r.Text, Lang: r.Lang, Note: r.Note}
			}
			fs = append(fs, f)
		}
		p.Findings = append(p.Findings, fs)
	}
	return p
}

// sendHTML answers with a rendered page.
func (s *Server) sendHTML(c *fiber.Ctx, status int, body []byte) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, edge.Lang(c))
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
	lang := edge.Lang(c)
	licence := strings.ToUpper(strings.Clone(c.Params("licence")))
	if !shian.ValidLicence(licence) {
		return s.notFoundPage(c, lang)
	}
	body, err := s.shopAnswer(c.UserContext(), licence, "page:"+lang, func(ctx context.Context) ([]byte, error) {
		shop, err := s.store.ShopByLicence(ctx, licence)
		if err != nil {
			return nil, err
		}
		return s.renderBytes("shop", s.newShopPage(lang, "/shops/"+licence, shop))
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

// sticker resolves the :token of a scan to its shop (qrcodes.Landing);
// shop is nil, and err too, for a code the city did not issue.
func (s *Server) sticker(c *fiber.Ctx) (shop *shian.Shop, outdated bool, token string, err error) {
	token = strings.ToUpper(strings.Clone(c.Params("token")))
	shop, outdated, err = s.landingSvc.Resolve(c.UserContext(), token)
	return shop, outdated, token, err
}

// landing serves /s/{token}: the page a tourist sees after scanning.
func (s *Server) landing(c *fiber.Ctx) error {
	lang := edge.Lang(c)
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
	key := "s:" + strconv.FormatInt(shop.ID, 10) + ":" + lang + ":" + strconv.FormatBool(outdated)
	if body, ok := s.rendered.get(key); ok {
		return s.sendHTML(c, 200, body)
	}
	p := s.newShopPage(lang, "/s/"+token, shop)
	p.Verified, p.Outdated, p.Channel = true, outdated, "qr"
	body, err := s.renderBytes("shop", p)
	if err != nil {
		return err
	}
	s.rendered.put(key, body)
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
			"detail": web.T(edge.Lang(c), "qr.unknown.body")})
	}
	return c.JSON(fiber.Map{"valid": true, "outdated": outdated, "shop": NewShopView(shop, 3)})
}

// FlushScans writes the sticker scans counted so far; serve calls it on a
// ticker and at shutdown.
func (s *Server) FlushScans(ctx context.Context) error { return s.landingSvc.Flush(ctx) }

func staticHandler() fiber.Handler {
	return filesystem.New(filesystem.Config{Root: http.FS(web.Static()), MaxAge: 3600})
}
