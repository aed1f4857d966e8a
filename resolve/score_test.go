package resolve_test

import (
	"slices"
	"testing"

	"shian"
	"shian/resolve"
)

// shops a few resolutions are scored against: two branches of one chain,
// a homophone pair's registered half, a school canteen and its alias.
func scoreShops() []*shian.Shop {
	return []*shian.Shop{
		{Licence: "A1", Name: "老二位海鲜", NameEN: "Lao Er Wei Seafood", NameRU: "Морепродукты Лао Эр Вэй", Aliases: []string{"老二位"},
			Address: "秦皇岛市北戴河区保二路125号", District: "beidaihe", Lat: 39.8241, Lng: 119.4804, HasGeo: true},
		{Licence: "B1", Name: "老田家饺子馆(永平大街店)", Address: "秦皇岛市卢龙县永平大街309号", District: "lulong", Lat: 39.8902, Lng: 118.8947, HasGeo: true},
		{Licence: "B2", Name: "老田家饺子馆(文化路店)", Address: "秦皇岛市海港区文化路12号", District: "haigang", Lat: 39.9220, Lng: 119.6013, HasGeo: true},
		{Licence: "C1", Name: "秦皇岛市第一中学食堂", Address: "秦皇岛市海港区文化路113号", District: "haigang"},
		{Licence: "C2", Name: "北戴河区第一中学食堂", Address: "秦皇岛市北戴河区刘庄路106号", District: "beidaihe"},
		{Licence: "D1", Name: "小胖海鲜大排档", Address: "秦皇岛市北戴河区东经路8号", District: "beidaihe"},
	}
}

func TestScore(t *testing.T) {
	_, n := city(t)
	r, err := resolve.New(searchFunc(nil), n)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		q       resolve.Query
		outcome string
		want    []string // licences: the match, or the candidates in order
		reason  string   // a reason the best one must carry
	}{
		{"exact", resolve.Query{Name: "老二位海鲜"}, resolve.Match, []string{"A1"}, resolve.ReasonName},
		{"alias", resolve.Query{Name: "老二位"}, resolve.Match, []string{"A1"}, resolve.ReasonName},
		{"homophone", resolve.Query{Name: "老二为"}, resolve.Match, []string{"A1"}, resolve.ReasonSound},
		{"extra trade word", resolve.Query{Name: "老二位海鲜大排档"}, resolve.Match, []string{"A1"}, resolve.ReasonCore},
		{"pinyin", resolve.Query{Name: "laoerwei"}, resolve.Match, []string{"A1"}, resolve.ReasonPinyin},
		{"english", resolve.Query{Name: "lao er wei seafood"}, resolve.Match, []string{"A1"}, resolve.ReasonForeign},
		{"russian", resolve.Query{Name: "морепродукты лао эр вэй"}, resolve.Match, []string{"A1"}, resolve.ReasonForeign},
		{"abbreviation and district", resolve.Query{Name: "北戴河一中食堂"}, resolve.Match, []string{"C2"}, resolve.ReasonDistrict},
		{"abbreviation, two schools", resolve.Query{Name: "一中食堂"}, resolve.Candidates, []string{"C1", "C2"}, resolve.ReasonAbbrev},
		{"branch by address", resolve.Query{Name: "老田家饺子馆", Address: "文化路12号"}, resolve.Match, []string{"B2"}, resolve.ReasonAddress},
		{"branch by point", resolve.Query{Name: "老田家饺子", Lat: 39.8903, Lng: 118.8948, HasGeo: true}, resolve.Match, []string{"B1"}, resolve.ReasonNear},
		{"branches unknown", resolve.Query{Name: "老田家饺子馆"}, resolve.Candidates, []string{"B1", "B2"}, resolve.ReasonTie},
		{"district disagrees", resolve.Query{Name: "老二位海鲜", Address: "山海关区南关大街"}, resolve.Candidates, []string{"A1"}, resolve.ReasonOtherDis},
		{"generic word", resolve.Query{Name: "海鲜"}, resolve.None, nil, ""},
		{"one character", resolve.Query{Name: "老"}, resolve.None, nil, ""},
		{"emoji", resolve.Query{Name: "🦐"}, resolve.None, nil, ""},
		{"no name", resolve.Query{Address: "保二路125号"}, resolve.None, nil, resolve.ReasonNoName},
		{"not registered", resolve.Query{Name: "全聚德烤鸭店"}, resolve.None, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := r.Score(c.q, scoreShops())
			if res.Outcome != c.outcome {
				t.Fatalf("outcome %s %v %.2f %v, want %s %v", res.Outcome, res.Licences(), res.Confidence, res.Reasons, c.outcome, c.want)
			}
			got := res.Licences()
			if c.outcome == resolve.Candidates {
				got = got[:min(len(got), len(c.want))]
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("licences %v, want %v", res.Licences(), c.want)
			}
			if c.reason != "" && !slices.Contains(res.Reasons, c.reason) {
				t.Errorf("reasons %v lack %s", res.Reasons, c.reason)
			}
			if res.Outcome == resolve.Match && (res.Shop == nil || res.Confidence < resolve.MatchAt) {
				t.Errorf("match without a shop or confidence: %+v", res)
			}
		})
	}
}

func TestResultDistrict(t *testing.T) {
	_, n := city(t)
	r, _ := resolve.New(searchFunc(nil), n)
	if d := r.Score(resolve.Query{Name: "一中食堂"}, scoreShops()).District(); d != "" {
		t.Errorf("two districts: %q, want none", d)
	}
	shops := scoreShops()
	shops[2].District = "lulong"
	if d := r.Score(resolve.Query{Name: "老田家饺子馆"}, shops).District(); d != "lulong" {
		t.Errorf("candidates of one district: %q, want lulong", d)
	}
}

// BenchmarkScore measures the pure part of a resolution: 60 candidates.
func BenchmarkScore(b *testing.B) {
	shops, n := city(b)
	r, _ := resolve.New(searchFunc(nil), n)
	cands := shops[:60]
	for b.Loop() {
		r.Score(resolve.Query{Name: "老二为海鲜", Address: "保二路125号"}, cands)
	}
}
