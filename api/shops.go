package api

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// ShopView is the public JSON of a shop. No personal data: a shop's phone
// is its public business phone.
type ShopView struct {
	Licence     string            `json:"licence"`
	CreditCode  string            `json:"credit_code,omitempty"`
	Name        string            `json:"name"`
	NameEN      string            `json:"name_en,omitempty"`
	NameRU      string            `json:"name_ru,omitempty"`
	Aliases     []string          `json:"aliases"`
	Category    shian.Code        `json:"category"`
	Address     string            `json:"address"`
	District    shian.Code        `json:"district"`
	Grid        string            `json:"grid,omitempty"`
	Lat         *float64          `json:"lat,omitempty"`
	Lng         *float64          `json:"lng,omitempty"`
	Phone       string            `json:"phone,omitempty"`
	Status      string            `json:"status"`
	LicensedOn  string            `json:"licensed_on,omitempty"`
	HACCP       bool              `json:"haccp"`
	Grade       shian.Grade       `json:"grade"`
	Inspections []InspectionView  `json:"recent_inspections"`
	Annual      []AnnualGradeView `json:"annual_grades"`
	Links       map[string]string `json:"links"`
	UpdatedAt   string            `json:"updated_at"`
}

// InspectionView is the public JSON of an inspection.
type InspectionView struct {
	Date        string   `json:"date"`
	Result      string   `json:"result"`
	Score       *float64 `json:"score,omitempty"`
	ItemsFailed []string `json:"items_failed"`
	Notes       string   `json:"notes,omitempty"`
}

// AnnualGradeView is a supplied annual grade.
type AnnualGradeView struct {
	Year  int    `json:"year"`
	Grade string `json:"grade"`
}

// NewShopView renders a shop for the public, with its recent inspections.
func NewShopView(s *shian.Shop, recent int) ShopView {
	cat, _ := shian.LookupCode(shian.ShopCategories, s.Category)
	dist, _ := shian.LookupCode(shian.Districts, s.District)
	v := ShopView{
		Licence: s.Licence, CreditCode: s.CreditCode, Name: s.Name, NameEN: s.NameEN, NameRU: s.NameRU,
		Aliases: nonNil(s.Aliases), Category: cat, Address: s.Address, District: dist, Grid: s.Grid,
		Phone: s.Phone, Status: s.Status, HACCP: s.HACCP, Grade: s.Grade,
		Inspections: []InspectionView{}, Annual: []AnnualGradeView{},
		Links: map[string]string{
			"self":        "/api/v1/shops/" + s.Licence,
			"page":        "/shops/" + s.Licence,
			"inspections": "/api/v1/shops/" + s.Licence + "/inspections",
		},
		UpdatedAt: s.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if s.HasGeo {
		lat, lng := s.Lat, s.Lng
		v.Lat, v.Lng = &lat, &lng
	}
	if !s.LicensedOn.IsZero() {
		v.LicensedOn = s.LicensedOn.Format(shian.DateLayout)
	}
	for i, in := range s.Inspections {
		if i == recent {
			break
		}
		v.Inspections = append(v.Inspections, newInspectionView(in))
	}
	for _, a := range s.Annual {
		v.Annual = append(v.Annual, AnnualGradeView{a.Year, a.Grade})
	}
	return v
}

func newInspectionView(in shian.Inspection) InspectionView {
	return InspectionView{Date: in.Date.Format(shian.DateLayout), Result: in.Result, Score: in.Score, ItemsFailed: nonNil(in.ItemsFailed), Notes: in.Notes}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// licenceParam returns the :licence path parameter, upper-cased and
// copied (Fiber reuses its memory), or a 400 when it cannot be a licence.
func licenceParam(c *fiber.Ctx) (string, error) {
	l := strings.ToUpper(strings.Clone(c.Params("licence")))
	if !shian.ValidLicence(l) {
		return "", &shian.Error{Code: shian.EINVALID, Field: "licence", Message: "malformed licence number", Key: "bad_licence"}
	}
	return l, nil
}

func (s *Server) getShop(c *fiber.Ctx) error {
	licence, err := licenceParam(c)
	if err != nil {
		return err
	}
	// One cached answer per shop, dropped on every replica when the shop
	// changes (views.Poller over the store's change sequence).
	body, err := s.shopAnswer(c.UserContext(), licence, "json", func(ctx context.Context) ([]byte, error) {
		shop, err := s.store.ShopByLicence(ctx, licence)
		if err != nil {
			return nil, err
		}
		return json.Marshal(NewShopView(shop, 3))
	})
	if err != nil {
		return withArgs(err, licence)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// withArgs fills the arguments of a not-found message with what was asked for.
func withArgs(err error, args ...any) error {
	var e *shian.Error
	if errors.As(err, &e) && e.Key != "" && e.Args == nil {
		cp := *e
		cp.Args = args
		return &cp
	}
	return err
}

// paging reads page and per_page (1-based; per_page at most most).
func paging(c *fiber.Ctx, def, most int) (page, perPage int, err error) {
	page, perPage = 1, def
	if v := c.Query("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 10000 {
			return 0, 0, badParam("page", "a whole number from 1 to 10000")
		}
	}
	if v := c.Query("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > most {
			return 0, 0, badParam("per_page", "a whole number from 1 to "+strconv.Itoa(most))
		}
	}
	return page, perPage, nil
}

func badParam(name, allowed string) error {
	return &shian.Error{Code: shian.EINVALID, Field: name, Message: name + " must be " + allowed, Key: "bad_param", Args: []any{name, allowed}}
}

func (s *Server) listInspections(c *fiber.Ctx) error {
	licence, err := licenceParam(c)
	if err != nil {
		return err
	}
	page, perPage, err := paging(c, 10, 50)
	if err != nil {
		return err
	}
	ins, total, err := s.store.ShopInspections(c.UserContext(), licence, (page-1)*perPage, perPage)
	if err != nil {
		return withArgs(err, licence)
	}
	items := make([]InspectionView, len(ins))
	for i, in := range ins {
		items[i] = newInspectionView(in)
	}
	return c.JSON(fiber.Map{"licence": licence, "inspections": items, "total": total, "page": page, "per_page": perPage})
}

func (s *Server) listDistricts(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"districts": shian.Districts})
}

func (s *Server) listCategories(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"shop_categories": shian.ShopCategories, "complaint_categories": shian.ComplaintCategories})
}
