package shian

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The public status view never carries what the complainant wrote or who
// they are, and rounds the point to about 100 m.
func TestPublicView(t *testing.T) {
	at := time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)
	c := &Complaint{Ticket: "QHD-7K3M-9XQ2", Kind: KindComplaint, Status: ComplaintMediating, Category: CategoryIllness,
		SubmittedCategory: "hygiene", ShopName: "老二位海鲜", Licence: "JY21303040000317", Description: "全家吐了一夜",
		Lat: 39.824149, Lng: 119.480451, HasGeo: true, ContactSealed: "sealed", PhoneMasked: "138****1234",
		Photos: []ComplaintPhoto{{Path: "2026/07/a.jpg"}}, CreatedAt: at, UpdatedAt: at.Add(time.Hour),
		Reading: ComplaintReading{Why: "urgent because: 吐"}}
	p := c.PublicView("en", "Beidaihe District Administration for Market Regulation", "We answer within 7 working days.")
	if p.ID != c.Ticket || p.Status != "open" || p.ServiceCode != "hygiene" || p.ServiceName != "Poor hygiene, pests" {
		t.Errorf("view %+v", p)
	}
	if *p.Lat != 39.824 || *p.Lng != 119.48 {
		t.Errorf("point %v,%v not rounded to 0.001°", *p.Lat, *p.Lng)
	}
	if p.StatusNotes != "In mediation" || !p.Updated.Equal(at.Add(time.Hour)) {
		t.Errorf("notes %q updated %v", p.StatusNotes, p.Updated)
	}
	b, _ := json.Marshal(p)
	for _, secret := range []string{"全家", "老二位", "JY213", "138", "sealed", "jpg", "urgent", "39.824149"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("public view %s leaks %q", b, secret)
		}
	}
	c.Status = ComplaintResolved
	if p := c.PublicView("zh", "", ""); p.Status != "closed" || p.ServiceName != "环境卫生差、虫鼠害" {
		t.Errorf("resolved: %+v", p)
	}
	c.HasGeo = false
	if b, _ := json.Marshal(c.PublicView("ru", "", "")); strings.Contains(string(b), `"lat"`) {
		t.Errorf("no point, yet %s", b)
	}
}

func TestProbableAndDiffers(t *testing.T) {
	c := &Complaint{SubmittedCategory: "other", Reading: ComplaintReading{Category: CategoryIllness}, ProbableDistrict: "beidaihe"}
	if !c.Probable() || !c.ReadingDiffers() {
		t.Errorf("probable %v differs %v", c.Probable(), c.ReadingDiffers())
	}
	c.District = "beidaihe"
	c.Reading.Category = "other"
	if c.Probable() || c.ReadingDiffers() {
		t.Errorf("routed: probable %v differs %v", c.Probable(), c.ReadingDiffers())
	}
}
