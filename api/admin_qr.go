package api

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/staff"
)

// ErrNotYourDistrict refuses a sticker sheet for a district the officer
// does not supervise (a district is public, so 403 rather than 404).
var ErrNotYourDistrict = &shian.Error{Code: shian.EFORBIDDEN, Key: "forbidden", Message: "you may print stickers of your own district only"}

// StickerPrinter draws a shop's current sticker code.
type StickerPrinter interface {
	PNG(shop *shian.Shop, pixelsPerModule int) ([]byte, error)
	SVG(shop *shian.Shop) ([]byte, error)
	// Sheet writes an A4 PDF of stickers for shops.
	Sheet(w io.Writer, shops []*shian.Shop, title string) error
}

// StickerStore is the store's side of sticker administration.
type StickerStore interface {
	ListShops(ctx context.Context, f shian.ShopFilter) ([]*shian.Shop, error)
}

func (s *Server) shopQRPNG(c *fiber.Ctx) error {
	size := 10
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return badParam("size", "pixels per module, 1 to 64")
		}
		size = n
	}
	return s.shopQR(c, "png:"+strconv.Itoa(size), "image/png", func(shop *shian.Shop) ([]byte, error) {
		return s.printer.PNG(shop, size)
	})
}

func (s *Server) shopQRSVG(c *fiber.Ctx) error {
	return s.shopQR(c, "svg", "image/svg+xml", s.printer.SVG)
}

// shopQR serves a sticker image, cached by shop, sticker version and format.
func (s *Server) shopQR(c *fiber.Ctx, format, ctype string, draw func(*shian.Shop) ([]byte, error)) error {
	licence, err := licenceParam(c)
	if err != nil {
		return err
	}
	shop, err := s.scopedShop(c, licence)
	if err != nil {
		return err
	}
	key := "qr:" + licence + ":" + strconv.Itoa(shop.StickerVersion) + ":" + format
	img, ok := s.rendered.get(key)
	if !ok {
		if img, err = draw(shop); err != nil {
			return err
		}
		s.rendered.put(key, img)
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderCacheControl, "private, max-age=60")
	return c.Send(img)
}

type sheetRequest struct {
	District string   `json:"district"`
	Licences []string `json:"licences"`
	Title    string   `json:"title"`
}

// qrSheet serves POST /admin/api/v1/qr/sheets: a printable PDF for a
// district or a list of licences.
func (s *Server) qrSheet(c *fiber.Ctx) error {
	var req sheetRequest
	if err := edge.DecodeJSON(c, &req); err != nil {
		return err
	}
	var shops []*shian.Shop
	switch {
	case req.District != "" && len(req.Licences) == 0:
		if _, ok := shian.LookupCode(shian.Districts, req.District); !ok {
			return badParam("district", "one of "+strings.Join(shian.CodeList(shian.Districts), ", "))
		}
		if !staff.Sees(principal(c), req.District, "") {
			return ErrNotYourDistrict
		}
		for after := int64(0); ; {
			page, err := s.store.ListShops(c.UserContext(), shian.ShopFilter{District: req.District, AfterID: after, Limit: 1000})
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, sh := range page {
				if sh.Status != shian.StatusClosed {
					shops = append(shops, sh)
				}
			}
			after = page[len(page)-1].ID
		}
	case len(req.Licences) > 0 && len(req.Licences) <= 2000 && req.District == "":
		for _, l := range req.Licences {
			sh, err := s.store.ShopByLicence(c.UserContext(), strings.ToUpper(l))
			if err != nil {
				return withArgs(err, l)
			}
			if !staff.Sees(principal(c), sh.District, sh.Grid) {
				return withArgs(&shian.Error{Code: shian.ENOTFOUND, Key: "shop_not_found", Message: "no shop has licence " + l}, l)
			}
			shops = append(shops, sh)
		}
	default:
		return badParam("district", "a district code, or licences (1 to 2000), not both")
	}
	if len(shops) == 0 {
		return &shian.Error{Code: shian.ENOTFOUND, Message: "no open shops to print"}
	}
	var buf bytes.Buffer
	if err := s.printer.Sheet(&buf, shops, req.Title); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="stickers.pdf"`)
	return c.Send(buf.Bytes())
}

// scopedShop loads the shop of a staff route: a shop outside the
// principal's district or grid is ENOTFOUND, exactly like one that does not
// exist (an officer prints, and sees the scans of, their own shops only).
func (s *Server) scopedShop(c *fiber.Ctx, licence string) (*shian.Shop, error) {
	shop, err := s.store.ShopByLicence(c.UserContext(), licence)
	if err != nil {
		return nil, withArgs(err, licence)
	}
	if !staff.Sees(principal(c), shop.District, shop.Grid) {
		return nil, withArgs(&shian.Error{Code: shian.ENOTFOUND, Key: "shop_not_found", Message: "no shop has licence " + licence}, licence)
	}
	return shop, nil
}

// shopScans serves a shop's daily scan counts for the last 90 days.
func (s *Server) shopScans(c *fiber.Ctx) error {
	licence, err := licenceParam(c)
	if err != nil {
		return err
	}
	shop, err := s.scopedShop(c, licence)
	if err != nil {
		return err
	}
	from := s.now().In(shian.CST).AddDate(0, 0, -90).Format(shian.DateLayout)
	days, err := s.scanStore.ShopScans(c.UserContext(), shop.ID, from)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"licence": licence, "from": from, "days": days})
}
