package triage

import (
	"slices"
	"testing"
	"time"
)

func TestLink(t *testing.T) {
	t0 := cst(2026, 7, 20, 12, 0)
	shop := ShopKey("JY11303020012345", "", "")
	other := ShopKey("JY11303020099999", "", "")
	ill := IllnessCategory
	tests := []struct {
		name        string
		filed       Filed
		recent      []Recent
		cluster     []string
		duplicateOf string
	}{
		{"two illness complaints within 48 h cluster",
			Filed{shop, ill, "p2", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-47 * time.Hour)}},
			[]string{"a"}, ""},
		{"exactly 48 h still clusters",
			Filed{shop, ill, "p2", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-48 * time.Hour)}},
			[]string{"a"}, ""},
		{"49 h apart: no cluster",
			Filed{shop, ill, "p2", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-49 * time.Hour)}},
			nil, ""},
		{"different shop: no cluster",
			Filed{shop, ill, "p2", t0},
			[]Recent{{ID: "a", ShopKey: other, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"earlier complaint not an illness: no cluster",
			Filed{shop, ill, "p2", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"new complaint not an illness: no cluster",
			Filed{shop, "hygiene", "p2", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"three complaints, oldest first, the stale one left out",
			Filed{shop, ill, "p4", t0},
			[]Recent{
				{ID: "c", ShopKey: shop, Category: ill, PhoneHash: "p3", ReceivedAt: t0.Add(-2 * time.Hour)},
				{ID: "old", ShopKey: shop, Category: ill, PhoneHash: "p0", ReceivedAt: t0.Add(-72 * time.Hour)},
				{ID: "b", ShopKey: shop, Category: ill, PhoneHash: "p2", ReceivedAt: t0.Add(-30 * time.Hour)},
			},
			[]string{"b", "c"}, ""},
		{"anonymous reports cluster",
			Filed{shop, ill, "", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, ReceivedAt: t0.Add(-5 * time.Hour)}},
			[]string{"a"}, ""},
		{"the same person twice is a duplicate, not an outbreak",
			Filed{shop, ill, "p1", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-3 * time.Hour)}},
			nil, "a"},
		{"duplicate within 24 h links to the first",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{
				{ID: "second", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-2 * time.Hour), DuplicateOf: "first"},
				{ID: "first", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-20 * time.Hour)},
			},
			nil, "first"},
		{"duplicate chain points at the original even outside the window",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "second", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-2 * time.Hour), DuplicateOf: "first"}},
			nil, "first"},
		{"25 h apart: not a duplicate",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-25 * time.Hour)}},
			nil, ""},
		{"exactly 24 h: duplicate",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-24 * time.Hour)}},
			nil, "a"},
		{"other category: not a duplicate",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "price_weight", PhoneHash: "p1", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"other phone: not a duplicate",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "hygiene", PhoneHash: "p9", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"anonymous: never a duplicate",
			Filed{shop, "hygiene", "", t0},
			[]Recent{{ID: "a", ShopKey: shop, Category: "hygiene", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"other shop: not a duplicate",
			Filed{shop, "hygiene", "p1", t0},
			[]Recent{{ID: "a", ShopKey: other, Category: "hygiene", PhoneHash: "p1", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
		{"cluster and duplicate together",
			Filed{shop, ill, "p1", t0},
			[]Recent{
				{ID: "mine", ShopKey: shop, Category: ill, PhoneHash: "p1", ReceivedAt: t0.Add(-4 * time.Hour)},
				{ID: "theirs", ShopKey: shop, Category: ill, PhoneHash: "p2", ReceivedAt: t0.Add(-6 * time.Hour)},
			},
			[]string{"theirs", "mine"}, "mine"},
		{"no shop key: nothing links",
			Filed{"", ill, "p1", t0},
			[]Recent{{ID: "a", Category: ill, PhoneHash: "p2", ReceivedAt: t0.Add(-time.Hour)}},
			nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Link(tt.filed, tt.recent)
			if !slices.Equal(got.Cluster, tt.cluster) || got.DuplicateOf != tt.duplicateOf {
				t.Errorf("Link = %+v, want cluster %v duplicate of %q", got, tt.cluster, tt.duplicateOf)
			}
		})
	}
}

func TestShopKey(t *testing.T) {
	tests := []struct {
		name                    string
		licence, district, shop string
		want                    string
	}{
		{"licence wins and is upper-cased", " jy113 ", "haigang", "老王烧烤", "licence:JY113"},
		{"name folded", "", "haigang", " 老王  烧烤 ", "name:haigang:老王烧烤"},
		{"full-width and case folded", "", "beidaihe", "ＫＦＣ Beach", "name:beidaihe:kfcbeach"},
		{"nothing", "", "haigang", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShopKey(tt.licence, tt.district, tt.shop); got != tt.want {
				t.Errorf("ShopKey = %q, want %q", got, tt.want)
			}
		})
	}
	if ShopKey("", "haigang", "沙县小吃") == ShopKey("", "lulong", "沙县小吃") {
		t.Error("same name in two districts must be two shops")
	}
}
