package search_test

import (
	"slices"
	"strings"
	"testing"

	"shian"
	"shian/search"
)

func TestSpell(t *testing.T) {
	tests := []struct {
		name, spaced string
		joined0      string
		initials0    string
	}{
		{"老王海鲜大排档", "lao wang hai xian da pai dang", "laowanghaixiandapaidang", "lwhxdpd"},
		{"长城饺子馆", "chang cheng jiao zi guan", "changchengjiaoziguan", "ccjzg"},
		{"重庆火锅", "chong qing huo guo", "chongqinghuoguo", "cqhg"},
		{"工商银行食堂", "gong shang yin hang shi tang", "gongshangyinhangshitang", "gsyhst"},
		{"快乐烧烤", "kuai le shao kao", "kuaileshaokao", "klsk"},
		{"渔家乐", "yu jia le", "yujiale", "yjl"},
		{"音乐餐吧", "yin yue can ba", "yinyuecanba", "yycb"},
		{"调料批发", "tiao liao pi fa", "tiaoliaopifa", "tlpf"},
		{"西藏风味", "xi zang feng wei", "xizangfengwei", "xzfw"},
		{"暖和小馆", "nuan huo xiao guan", "nuanhuoxiaoguan", "nhxg"},
		{"和平饭店", "he ping fan dian", "hepingfandian", "hpfd"},
		{"成都小吃", "cheng du xiao chi", "chengduxiaochi", "cdxc"},
		{"德州扒鸡", "de zhou pa ji", "dezhoupaji", "dzpj"},
		{"步行街烧烤", "bu xing jie shao kao", "buxingjieshaokao", "bxjsk"},
		{"店长推荐", "dian zhang tui jian", "dianzhangtuijian", "dztj"},
		{"KFC肯德基(北戴河店)", "kfc ken de ji bei dai he dian", "kfckendejibeidaihedian", "kkdjbdhd"},
		{"7天快餐", "7 tian kuai can", "7tiankuaican", "7tkc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, ok := search.Spell(tt.name)
			if !ok {
				t.Fatal("no spelling")
			}
			if sp.Spaced != tt.spaced || sp.Joined[0] != tt.joined0 || sp.Initials[0] != tt.initials0 {
				t.Errorf("Spell = %q %q %q, want %q %q %q", sp.Spaced, sp.Joined[0], sp.Initials[0], tt.spaced, tt.joined0, tt.initials0)
			}
			n := len(strings.Fields(tt.spaced))
			if len(sp.Joined) != n || len(sp.Initials) != n {
				t.Errorf("%d joined, %d initials for %d syllables", len(sp.Joined), len(sp.Initials), n)
			}
		})
	}
	t.Run("no Chinese", func(t *testing.T) {
		if _, ok := search.Spell("Happy BBQ"); ok {
			t.Error("a Latin name got a pinyin spelling")
		}
	})
}

func TestKeywords(t *testing.T) {
	s := &shian.Shop{Name: "老王海鲜", Aliases: []string{"王记", "Wang's"}, NameEN: "Lao Wang Seafood", NameRU: "Морепродукты Лао Ван"}
	kw := search.Keywords(s)
	for _, want := range []string{"lao wang hai xian", "lao wan hai xian", "laowanghaixian", "lwhx", "wang ji", "wangji", "wj"} {
		if !strings.Contains(kw, want) {
			t.Errorf("Keywords = %q, lacks %q", kw, want)
		}
	}
	d := search.NewDocument(s, date("2026-01-01"))
	if !slices.Contains(d.PinyinJoined, "haixian") || !slices.Contains(d.PinyinInitials, "hx") {
		t.Errorf("document pinyin %v %v", d.PinyinJoined, d.PinyinInitials)
	}
}

func FuzzSpell(f *testing.F) {
	for _, s := range []string{"老王海鲜大排档", "KFC肯德基(北戴河店)", "", "重庆长城银行", "\xff\xfe", "ё"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, ok := search.Spell(s)
		if !ok {
			return
		}
		if len(sp.Joined) != len(sp.Initials) || len(sp.Joined) == 0 {
			t.Fatalf("Spell(%q) = %+v", s, sp)
		}
		if sp.Joined[0] != strings.ReplaceAll(sp.Spaced, " ", "") {
			t.Fatalf("joined %q is not spaced %q without spaces", sp.Joined[0], sp.Spaced)
		}
	})
}
