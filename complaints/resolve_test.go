package complaints_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/complaints"
	"shian/names"
	"shian/resolve"
	"shian/search"
	"shian/staff"
	"shian/store/sqlstore"
	"shian/store/storetest"
	"shian/triage"
)

// resolveShops: one famous shop, two branches of a chain in one district,
// two school canteens of one abbreviation in two districts.
func resolveShops() []*shian.Shop {
	shop := func(lic, name, district, addr string, lat, lng float64) *shian.Shop {
		s := storetest.Shop(lic, name, district)
		s.Address, s.Lat, s.Lng, s.HasGeo = addr, lat, lng, true
		return s
	}
	yi := shop("JY31303020000099", "秦皇岛市第一中学食堂", "haigang", "秦皇岛市海港区文化路113号", 39.9220, 119.6013)
	yi.Category = "school_canteen"
	bdh := shop("JY31303040000451", "北戴河区第一中学食堂", "beidaihe", "秦皇岛市北戴河区刘庄路106号", 39.8555, 119.4806)
	bdh.Category = "school_canteen"
	return []*shian.Shop{
		shop("JY21303040000317", "老二位海鲜", "beidaihe", "秦皇岛市北戴河区保二路125号", 39.8241, 119.4804),
		shop("JY21303020000901", "老田家饺子馆(文化路店)", "haigang", "秦皇岛市海港区文化路12号", 39.9221, 119.6001),
		shop("JY21303020000902", "老田家饺子馆(河北大街店)", "haigang", "秦皇岛市海港区河北大街8号", 39.9128, 119.5838),
		yi, bdh,
	}
}

// resolvingService is the complaint service with shop resolution over the
// store's search (Meilisearch down): what a city without Meilisearch runs.
func resolvingService(t *testing.T, open func(*testing.T) *sqlstore.DB) (*complaints.Service, *sqlstore.DB) {
	t.Helper()
	db := open(t)
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return storetest.Now }
	db.Keywords = search.Keywords
	storetest.MustMigrate(t, db)
	if _, err := db.UpsertShops(context.Background(), resolveShops()); err != nil {
		t.Fatal(err)
	}
	tr, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := names.New()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := resolve.New(search.NewService(search.Config{Store: db}), n)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := complaints.New(complaints.Config{Store: db, Triager: tr, Secret: []byte(strings.Repeat("x", 32)),
		PhotoDir: t.TempDir(), Resolver: rs, ResolveBudget: 5 * time.Second, Now: func() time.Time { return storetest.Now }})
	if err != nil {
		t.Fatal(err)
	}
	return svc, db
}

// Intake resolves the shop typed without a licence and keeps the reading
// beside the category submitted, on both stores.
func TestFileResolvesShop(t *testing.T) {
	for _, st := range filingStores {
		t.Run(st.name, func(t *testing.T) {
			svc, db := resolvingService(t, st.open)
			ctx := context.Background()
			file := func(in shian.ComplaintInput) *shian.Complaint {
				t.Helper()
				in.Kind = shian.KindReport
				if in.Category == "" {
					in.Category = "other"
				}
				if in.Description == "" {
					in.Description = "服务员态度很差，还多收了钱。"
				}
				f, err := svc.File(ctx, shian.ComplaintSubmission{Input: in})
				if err != nil {
					t.Fatal(err)
				}
				c, err := db.ComplaintByTicket(ctx, f.Ticket)
				if err != nil {
					t.Fatal(err)
				}
				if f.Office != c.Office {
					t.Errorf("answer office %s, stored %s", f.Office, c.Office)
				}
				return c
			}

			// A homophone slip routes by the shop, as a licence would.
			c := file(shian.ComplaintInput{ShopName: "老二为海鲜", Category: "other",
				Description: "ночью всю семью тошнило, у ребёнка температура", Lang: "ru"})
			if c.Licence != "JY21303040000317" || c.ShopID == 0 || c.District != "beidaihe" || c.RoutedBy != "shop" {
				t.Errorf("homophone: licence %q shop %d district %q by %q", c.Licence, c.ShopID, c.District, c.RoutedBy)
			}
			if r := c.Resolution; r.Outcome != shian.ShopMatched || r.Confidence < resolve.MatchAt || !slices.Contains(r.Reasons, resolve.ReasonSound) {
				t.Errorf("resolution %+v", r)
			}
			if c.ShopKey != triage.ShopKey("JY21303040000317", "beidaihe", "老二为海鲜") {
				t.Errorf("shop key %q is not the licence's", c.ShopKey)
			}
			// The reading beside the category the person chose.
			if c.SubmittedCategory != "other" || c.Category != shian.CategoryIllness || c.Reading.Priority != shian.PriorityUrgent ||
				!strings.Contains(c.Reading.Why, "тошнило") || !c.ReadingDiffers() {
				t.Errorf("reading: submitted %s category %s %+v", c.SubmittedCategory, c.Category, c.Reading)
			}

			// Two branches in one district: candidates, routed to the district.
			c = file(shian.ComplaintInput{ShopName: "老田家饺子馆"})
			if c.Resolution.Outcome != shian.ShopCandidates || len(c.Resolution.Candidates) != 2 || c.ShopID != 0 || c.District != "haigang" {
				t.Errorf("branches: %+v district %q shop %d", c.Resolution, c.District, c.ShopID)
			}
			// The address chooses the branch.
			c = file(shian.ComplaintInput{ShopName: "老田家饺子馆", ShopAddress: "河北大街8号"})
			if c.Licence != "JY21303020000902" || c.Resolution.Outcome != shian.ShopMatched {
				t.Errorf("branch by address: %q %+v", c.Licence, c.Resolution)
			}

			// An abbreviation of two districts' schools: nobody's queue for
			// sure, the probable district's queue marked probable.
			c = file(shian.ComplaintInput{ShopName: "一中食堂", Description: "食堂的饭菜有异味，孩子吃了不舒服。"})
			if c.Resolution.Outcome != shian.ShopCandidates || c.District != "" || c.ProbableDistrict == "" || !c.Probable() {
				t.Fatalf("two districts: %+v district %q probable %q", c.Resolution, c.District, c.ProbableDistrict)
			}
			page, err := db.Queue(ctx, staff.Query{Statuses: staff.OpenStatuses, District: c.ProbableDistrict, Probable: true, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(page.Items, func(x *staff.Case) bool { return x.Ticket == c.Ticket }) {
				t.Errorf("probable case %s not in %s's queue", c.Ticket, c.ProbableDistrict)
			}
			page, err = db.Queue(ctx, staff.Query{Statuses: staff.OpenStatuses, District: c.ProbableDistrict, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(page.Items, func(x *staff.Case) bool { return x.Ticket == c.Ticket }) {
				t.Errorf("probable case in the queue without Probable")
			}

			// The district's officer sees the probable case and confirms its
			// shop with one audited action: routed by the shop from then on.
			tr, _ := triage.New(triage.Config{})
			st, err := staff.New(staff.Config{Store: db, Triager: tr, Now: func() time.Time { return storetest.Now }})
			if err != nil {
				t.Fatal(err)
			}
			officer := &staff.Principal{Name: "li", Role: staff.RoleOfficer, District: "haigang"}
			if _, err := st.Case(ctx, officer, c.Ticket); c.ProbableDistrict == "haigang" && err != nil {
				t.Errorf("probable case hidden from its district's officer: %v", err)
			}
			if _, err := st.ConfirmShop(ctx, officer, c.Ticket, "JY00000000000000"); shian.ErrorCode(err) != shian.EINVALID {
				t.Errorf("unknown licence: %v", err)
			}
			admin := &staff.Principal{Name: "admin", Role: staff.RoleAdmin}
			cs, err := st.ConfirmShop(ctx, admin, c.Ticket, "JY31303020000099")
			if err != nil {
				t.Fatal(err)
			}
			if cs.Licence != "JY31303020000099" || cs.District != "haigang" || cs.RoutedBy != "shop" || cs.Probable() ||
				cs.Resolution.Outcome != shian.ShopConfirmed || cs.Resolution.ConfirmedBy != "admin" ||
				cs.ShopKey != triage.ShopKey("JY31303020000099", "haigang", "一中食堂") || shian.PriorityRank(cs.Priority) < shian.PriorityRank(shian.PriorityHigh) {
				t.Errorf("confirmed: licence %q district %q by %q priority %s %+v", cs.Licence, cs.District, cs.RoutedBy, cs.Priority, cs.Resolution)
			}
			stored, err := db.ComplaintByTicket(ctx, c.Ticket)
			if err != nil || stored.Licence != "JY31303020000099" || stored.ShopID == 0 || stored.Resolution.ConfirmedBy != "admin" {
				t.Errorf("stored after confirm: %+v %v", stored, err)
			}
			entries, err := db.AuditEntries(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(entries, func(e staff.AuditEntry) bool { return e.Action == "confirm_shop" && e.Target == c.Ticket }) {
				t.Errorf("no confirm_shop audit entry in %+v", entries)
			}

			// Too little to name a shop: none, routed by the words.
			c = file(shian.ComplaintInput{ShopName: "海鲜", ShopAddress: "北戴河鸽子窝附近"})
			if c.Resolution.Outcome != shian.ShopUnresolved || c.ShopID != 0 || c.District != "beidaihe" || c.RoutedBy != "text" {
				t.Errorf("generic name: %+v district %q by %q", c.Resolution, c.District, c.RoutedBy)
			}
			// Only a point (Open311): accepted, routed by the grid.
			c = file(shian.ComplaintInput{Lat: 39.8241, Lng: 119.4804, HasGeo: true, Channel: shian.ChannelOpen311})
			if c.District != "beidaihe" || c.RoutedBy != "geo" || c.Resolution.Outcome != shian.ShopUnresolved {
				t.Errorf("point only: district %q by %q %+v", c.District, c.RoutedBy, c.Resolution)
			}
		})
	}
}
