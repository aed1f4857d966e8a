package triage

import (
	"strings"
	"testing"
	"time"

	"shian"
)

func TestTriage(t *testing.T) {
	tr := MustTriager(t)
	fri := cst(2026, 2, 13, 10, 0) // before Spring Festival
	tests := []struct {
		name string
		in   Input
		// want: District ("" unrouted), Grid, Office, Priority, Category, RoutedBy
		district, grid, office, priority, category, routedBy string
	}{
		// District from the known shop, every district and zone.
		{"shop haigang", Input{Category: "hygiene", ShopDistrict: "haigang", ShopGrid: "haigang-02"}, "haigang", "haigang-02", "haigang", "normal", "hygiene", "shop"},
		{"shop shanhaiguan", Input{Category: "hygiene", ShopDistrict: "shanhaiguan", ShopGrid: "shanhaiguan-01"}, "shanhaiguan", "shanhaiguan-01", "shanhaiguan", "normal", "hygiene", "shop"},
		{"shop beidaihe", Input{Category: "price_weight", ShopDistrict: "beidaihe", ShopGrid: "beidaihe-03"}, "beidaihe", "beidaihe-03", "beidaihe", "normal", "price_weight", "shop"},
		{"shop funing", Input{Category: "no_licence", ShopDistrict: "funing"}, "funing", "", "funing", "normal", "no_licence", "shop"},
		{"shop qinglong", Input{Category: "other", ShopDistrict: "qinglong", ShopGrid: "qinglong-02"}, "qinglong", "qinglong-02", "qinglong", "low", "other", "shop"},
		{"shop changli", Input{Category: "fake_grade", ShopDistrict: "changli", ShopGrid: "changli-01"}, "changli", "changli-01", "changli", "normal", "fake_grade", "shop"},
		{"shop lulong", Input{Category: "online_order", ShopDistrict: "lulong", ShopGrid: "lulong-01"}, "lulong", "lulong-01", "lulong", "normal", "online_order", "shop"},
		{"shop in zone bdhxinqu has its own office", Input{Category: "hygiene", ShopDistrict: "bdhxinqu", ShopGrid: "bdhxinqu-02"}, "bdhxinqu", "bdhxinqu-02", "bdhxinqu", "normal", "hygiene", "shop"},
		{"shop in zone etdz has its own office", Input{Category: "hygiene", ShopDistrict: "etdz", ShopGrid: "etdz-01"}, "etdz", "etdz-01", "etdz", "normal", "hygiene", "shop"},
		{"shop beats geo and text", Input{Category: "hygiene", ShopDistrict: "lulong", HasGeo: true, Lat: 39.83, Lng: 119.48, Description: "北戴河的店"}, "lulong", "", "lulong", "normal", "hygiene", "shop"},
		{"shop's stale grid of another district is dropped", Input{Category: "hygiene", ShopDistrict: "lulong", ShopGrid: "haigang-01"}, "lulong", "", "lulong", "normal", "hygiene", "shop"},
		{"shop's grid unknown to the grids file is kept", Input{Category: "hygiene", ShopDistrict: "lulong", ShopGrid: "lulong-07"}, "lulong", "lulong-07", "lulong", "normal", "hygiene", "shop"},
		{"unknown shop district falls through to geo", Input{Category: "hygiene", ShopDistrict: "tangshan", HasGeo: true, Lat: 39.83, Lng: 119.48}, "beidaihe", "beidaihe-01", "beidaihe", "normal", "hygiene", "geo"},

		// District from coordinates.
		{"geo beidaihe", Input{Category: "hygiene", HasGeo: true, Lat: 39.83, Lng: 119.48}, "beidaihe", "beidaihe-01", "beidaihe", "normal", "hygiene", "geo"},
		{"geo haigang centre", Input{Category: "hygiene", HasGeo: true, Lat: 39.935, Lng: 119.615}, "haigang", "haigang-02", "haigang", "normal", "hygiene", "geo"},
		{"geo shanhaiguan", Input{Category: "hygiene", HasGeo: true, Lat: 40.00, Lng: 119.75}, "shanhaiguan", "shanhaiguan-01", "shanhaiguan", "normal", "hygiene", "geo"},
		{"geo qinglong", Input{Category: "hygiene", HasGeo: true, Lat: 40.40, Lng: 118.95}, "qinglong", "qinglong-02", "qinglong", "normal", "hygiene", "geo"},
		{"geo zone etdz wins over haigang", Input{Category: "hygiene", HasGeo: true, Lat: 39.955, Lng: 119.56}, "etdz", "etdz-02", "etdz", "normal", "hygiene", "geo"},
		{"geo zone bdhxinqu wins over changli", Input{Category: "hygiene", HasGeo: true, Lat: 39.62, Lng: 119.30}, "bdhxinqu", "bdhxinqu-02", "bdhxinqu", "normal", "hygiene", "geo"},
		{"geo at sea falls through to text", Input{Category: "hygiene", HasGeo: true, Lat: 39.70, Lng: 119.60, Description: "在山海关古城里的小吃店"}, "shanhaiguan", "", "shanhaiguan", "normal", "hygiene", "text"},
		{"zero coordinates without HasGeo are ignored", Input{Category: "hygiene", Lat: 39.83, Lng: 119.48}, "", "", "city", "normal", "hygiene", "none"},

		// District from text, Chinese, English, Russian; address before name before description.
		{"text 北戴河新区 wins over 北戴河", Input{Category: "hygiene", ShopAddress: "北戴河新区南戴河街道"}, "bdhxinqu", "", "bdhxinqu", "normal", "hygiene", "text"},
		{"text 北戴河", Input{Category: "hygiene", ShopAddress: "北戴河区保二路"}, "beidaihe", "", "beidaihe", "normal", "hygiene", "text"},
		{"text 开发区", Input{Category: "hygiene", ShopAddress: "开发区泰山路"}, "etdz", "", "etdz", "normal", "hygiene", "text"},
		{"text 海港区", Input{Category: "hygiene", ShopAddress: "海港区文化路"}, "haigang", "", "haigang", "normal", "hygiene", "text"},
		{"text 抚宁", Input{Category: "hygiene", ShopName: "抚宁骨头馆"}, "funing", "", "funing", "normal", "hygiene", "text"},
		{"text 昌黎", Input{Category: "hygiene", Description: "昌黎县城一家饭店"}, "changli", "", "changli", "normal", "hygiene", "text"},
		{"text 卢龙", Input{Category: "hygiene", Description: "卢龙的早点摊"}, "lulong", "", "lulong", "normal", "hygiene", "text"},
		{"text 青龙", Input{Category: "hygiene", Description: "青龙满族自治县"}, "qinglong", "", "qinglong", "normal", "hygiene", "text"},
		{"text English", Input{Category: "hygiene", Description: "A seafood stall near the beach in Beidaihe"}, "beidaihe", "", "beidaihe", "normal", "hygiene", "text"},
		{"text English zone", Input{Category: "hygiene", ShopAddress: "Golden Coast, Beidaihe New Area"}, "bdhxinqu", "", "bdhxinqu", "normal", "hygiene", "text"},
		{"text Russian", Input{Category: "hygiene", Description: "Кафе на набережной в Бэйдайхэ"}, "beidaihe", "", "beidaihe", "normal", "hygiene", "text"},
		{"text address beats description", Input{Category: "hygiene", ShopAddress: "卢龙县", Description: "我从北戴河来"}, "lulong", "", "lulong", "normal", "hygiene", "text"},
		{"nothing known: city office", Input{Category: "hygiene", Description: "饭店很脏"}, "", "", "city", "normal", "hygiene", "none"},

		// Category and priority: the reading of the words (package reading).
		{"illness zh makes foodborne_illness urgent", Input{Category: "hygiene", ShopDistrict: "haigang", Description: "吃完烧烤全家拉肚子"}, "haigang", "", "haigang", "urgent", "foodborne_illness", "shop"},
		{"illness zh variant 吃坏肚子", Input{Category: "other", ShopDistrict: "haigang", Description: "昨天在这吃坏肚子了"}, "haigang", "", "haigang", "urgent", "foodborne_illness", "shop"},
		{"illness en", Input{Category: "foreign_object", ShopDistrict: "beidaihe", Description: "Two of us had vomiting and diarrhea after dinner"}, "beidaihe", "", "beidaihe", "urgent", "foodborne_illness", "shop"},
		{"illness ru", Input{Category: "spoiled_food", ShopDistrict: "beidaihe", Description: "Мы отравились креветками, у ребёнка рвота"}, "beidaihe", "", "beidaihe", "urgent", "foodborne_illness", "shop"},
		{"school zh: school_food, high", Input{Category: "other", ShopDistrict: "funing", Description: "幼儿园门口的小卖部卖三无食品"}, "funing", "", "funing", "high", "school_food", "shop"},
		{"school en: school_food, high", Input{Category: "hygiene", ShopDistrict: "funing", Description: "the school canteen has rats"}, "funing", "", "funing", "high", "school_food", "shop"},
		{"school ru: school_food, high", Input{Category: "hygiene", ShopDistrict: "funing", Description: "грязно в столовой при школе"}, "funing", "", "funing", "high", "school_food", "shop"},
		{"school in the shop name", Input{Category: "hygiene", ShopName: "第三中学食堂", ShopAddress: "海港区"}, "haigang", "", "haigang", "high", "school_food", "text"},
		{"school canteen shop is at least high", Input{Category: "price_weight", ShopDistrict: "haigang", ShopCategory: "school_canteen"}, "haigang", "", "haigang", "high", "price_weight", "shop"},
		{"school words never lower urgent", Input{Category: "foodborne_illness", ShopDistrict: "haigang", Description: "学校食堂"}, "haigang", "", "haigang", "urgent", "foodborne_illness", "shop"},
		{"school words keep high", Input{Category: "spoiled_food", ShopDistrict: "haigang", Description: "学生买到过期面包"}, "haigang", "", "haigang", "high", "school_food", "shop"},
		{"illness and school: urgent", Input{Category: "school_food", ShopDistrict: "haigang", Description: "学生集体呕吐"}, "haigang", "", "haigang", "urgent", "foodborne_illness", "shop"},
		{"no keyword keeps the default", Input{Category: "other", ShopDistrict: "haigang", Description: "服务员态度差"}, "haigang", "", "haigang", "low", "other", "shop"},
		{"恶心 (disgusting) is not illness", Input{Category: "hygiene", ShopDistrict: "haigang", Description: "后厨太恶心了"}, "haigang", "", "haigang", "normal", "hygiene", "shop"},
		{"unknown category reads as other", Input{Category: "ufo", ShopDistrict: "haigang"}, "haigang", "", "haigang", "low", "other", "shop"},
		{"negation zh: no illness", Input{Category: "foodborne_illness", ShopDistrict: "haigang", Description: "没有拉肚子，就是粉丝太咸了"}, "haigang", "", "haigang", "low", "other", "shop"},
		{"negation en: hygiene", Input{Category: "foodborne_illness", ShopDistrict: "haigang", Description: "Nobody got sick, but the kitchen was filthy"}, "haigang", "", "haigang", "normal", "hygiene", "shop"},
		{"negation ru: hygiene", Input{Category: "foodborne_illness", ShopDistrict: "haigang", Description: "не отравились, но грязно"}, "haigang", "", "haigang", "normal", "hygiene", "shop"},
		{"rude waiter who overcharged: not illness", Input{Category: "foodborne_illness", ShopDistrict: "haigang", Description: "服务员态度恶劣，多收了我们一百块"}, "haigang", "", "haigang", "normal", "price_weight", "shop"},
		{"everyday illness zh", Input{Category: "other", ShopDistrict: "haigang", Description: "吃完以后一直跑厕所，肚子绞痛"}, "haigang", "", "haigang", "urgent", "foodborne_illness", "shop"},
		{"landmark routes: 鸽子窝", Input{Category: "hygiene", ShopAddress: "鸽子窝公园门口"}, "beidaihe", "", "beidaihe", "normal", "hygiene", "text"},
		{"landmark routes: Old Dragon Head", Input{Category: "hygiene", Description: "a stall near the Old Dragon Head"}, "shanhaiguan", "", "shanhaiguan", "normal", "hygiene", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Kind = shian.KindComplaint
			tt.in.ReceivedAt = fri
			r := tr.Triage(tt.in)
			want := shian.Routing{District: tt.district, Grid: tt.grid, Office: tt.office, Priority: tt.priority,
				Category: tt.category, RoutedBy: tt.routedBy, AcceptDue: endOf("2026-03-02")}
			if r != want {
				t.Errorf("Triage =\n %+v\nwant\n %+v", r, want)
			}
		})
	}
}

func TestTriageDeadlines(t *testing.T) {
	tr := MustTriager(t)
	tests := []struct {
		name              string
		kind              string
		received          time.Time
		acceptDue, verify string
	}{
		{"complaint over Spring Festival", shian.KindComplaint, cst(2026, 2, 13, 10, 0), "2026-03-02", ""},
		{"report over Spring Festival", shian.KindReport, cst(2026, 2, 13, 10, 0), "", "2026-03-12"},
		{"complaint over National Day", shian.KindComplaint, cst(2026, 9, 30, 15, 0), "2026-10-15", ""},
		{"report over National Day", shian.KindReport, cst(2026, 9, 30, 15, 0), "", "2026-10-27"},
		{"complaint over 元旦", shian.KindComplaint, cst(2025, 12, 31, 9, 0), "2026-01-12", ""},
		{"complaint in 2027 (fallback)", shian.KindComplaint, cst(2027, 9, 30, 9, 0), "2027-10-12", ""},
		{"unknown kind gets the complaint's shorter deadline", "grievance", cst(2026, 2, 13, 10, 0), "2026-03-02", ""},
		{"no receipt time, no deadline", shian.KindComplaint, time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tr.Triage(Input{Kind: tt.kind, Category: "hygiene", ShopDistrict: "haigang", ReceivedAt: tt.received})
			var wantA, wantV time.Time
			if tt.acceptDue != "" {
				wantA = endOf(tt.acceptDue)
			}
			if tt.verify != "" {
				wantV = endOf(tt.verify)
			}
			if !r.AcceptDue.Equal(wantA) || !r.VerifyDue.Equal(wantV) {
				t.Errorf("AcceptDue %s VerifyDue %s, want %s %s", r.AcceptDue, r.VerifyDue, wantA, wantV)
			}
		})
	}
	if got := tr.MediationDue(cst(2026, 9, 21, 9, 0)); !got.Equal(endOf("2026-11-30")) {
		t.Errorf("MediationDue = %s, want 2026-11-30", got)
	}
}

func BenchmarkTriage(b *testing.B) {
	tr := MustTriager(b)
	in := Input{Kind: shian.KindComplaint, Category: "hygiene", HasGeo: true, Lat: 39.70, Lng: 119.60,
		ShopName: "海鲜大排档", ShopAddress: "海边", ReceivedAt: cst(2026, 9, 30, 15, 0),
		Description: strings.Repeat("服务员态度很差，后厨环境脏乱，", 60) + "在北戴河"}
	for b.Loop() {
		tr.Triage(in)
	}
}
