package reading

import (
	"slices"
	"strings"
	"testing"

	"shian"
)

// TestRead pins the cases of issue 14 and the rules around denials: what is
// read as illness, what a denial reaches, and the reasons shown.
func TestRead(t *testing.T) {
	tests := []struct {
		name, submitted, text string
		category, priority    string
		illness               []string // the illness words, nil for none
		denied                bool     // an illness word is denied
	}{
		{"issue: 跑厕所", "other", "吃完以后一直跑厕所，肚子绞痛", "foodborne_illness", "urgent", []string{"跑厕所", "肚子绞痛"}, false},
		{"issue: sick all night", "other", "My kids were sick all night after eating there", "foodborne_illness", "urgent", []string{"were sick"}, false},
		{"issue: тошнило", "other", "ночью всю семью тошнило", "foodborne_illness", "urgent", []string{"тошнило"}, false},
		{"issue: 没有拉肚子", "foodborne_illness", "没有拉肚子，就是粉丝太咸了", "other", "low", nil, true},
		{"issue: Nobody got sick", "foodborne_illness", "Nobody got sick, but the kitchen was filthy", "hygiene", "normal", nil, true},
		{"не отравились, но грязно", "foodborne_illness", "не отравились, но грязно", "hygiene", "normal", nil, true},
		{"a denial of another symptom", "foodborne_illness", "吃了以后拉肚子，没有发烧", "foodborne_illness", "urgent", []string{"拉肚子"}, true},
		{"issue: rude waiter who overcharged", "foodborne_illness", "服务员态度恶劣，多收了我们一百块", "price_weight", "normal", nil, false},
		{"рвота у ребёнка", "", "рвота у ребёнка", "foodborne_illness", "urgent", []string{"рвота"}, false},
		{"температура, живот крутит", "", "температура и живот крутит", "foodborne_illness", "urgent", []string{"температура", "живот крутит"}, false},
		{"上吐下泻 in traditional", "", "上吐下瀉", "foodborne_illness", "urgent", []string{"上吐下泻"}, false},
		{"拉了一晚上", "", "拉了一晚上", "foodborne_illness", "urgent", []string{"拉了"}, false},
		{"threw up, cramps", "", "threw up twice, cramps", "foodborne_illness", "urgent", []string{"threw up", "cramps"}, false},
		{"恶心 = disgusting", "hygiene", "后厨太恶心了", "hygiene", "normal", nil, false},
		{"恶心想吐 = nausea", "", "吃完恶心想吐", "foodborne_illness", "urgent", []string{"恶心想吐"}, false},
		{"two mild symptoms", "", "吃完饭头晕恶心", "foodborne_illness", "urgent", []string{"头晕", "恶心"}, false},
		{"sick of waiting", "foodborne_illness", "sick of waiting", "other", "low", nil, false},
		{"больной вопрос", "other", "больной вопрос — цены", "other", "low", nil, false},
		{"没想到 is no denial", "", "没想到吃完半夜发高烧", "foodborne_illness", "urgent", []string{"发高烧"}, false},
		{"没 of another verb", "", "我没吃完就开始拉肚子了", "foodborne_illness", "urgent", []string{"拉肚子"}, false},
		{"a denied list", "foodborne_illness", "没有发烧、呕吐、腹泻，就是菜不新鲜", "spoiled_food", "high", nil, true},
		{"a denial after the word zh", "foodborne_illness", "拉肚子倒没有，主要是有头发", "foreign_object", "normal", nil, true},
		{"a denial after the word ru", "other", "Рвоты не было, но живот болел всю ночь", "foodborne_illness", "urgent", []string{"живот болел"}, true},
		{"not got better is no denial", "", "腹泻没有好转", "foodborne_illness", "urgent", []string{"腹泻"}, false},
		{"a question answered no", "foodborne_illness", "Отравление? Нет. Просто грязно", "hygiene", "normal", nil, true},
		{"a negated verb that means illness", "", "ребенок всю ночь не вылезал из туалета", "foodborne_illness", "urgent", []string{"не вылезал из туалета"}, false},
		{"school: school_food, high", "hygiene", "学生食堂里发现老鼠", "school_food", "high", nil, false},
		{"school and illness: urgent", "school_food", "幼儿园好几个小朋友发烧呕吐", "foodborne_illness", "urgent", []string{"发烧", "呕吐"}, false},
		{"submitted illness, no words against it", "foodborne_illness", "学校食堂", "foodborne_illness", "urgent", nil, false},
		{"submitted, no words at all", "no_licence", "就是这家", "no_licence", "normal", nil, false},
		{"unknown submitted category", "ufo", "", "other", "low", nil, false},
		{"a specific choice stands beside other words", "no_licence", "Dirty kitchen, flies everywhere", "no_licence", "normal", nil, false},
		{"spoiled food raises a kept choice", "hygiene", "后厨很脏，牛奶也过期了", "hygiene", "high", nil, false},
		{"a weak choice is replaced", "online_order", "外卖里吃出了头发", "foreign_object", "normal", nil, false},
		{"pest in the food", "other", "面条里有只苍蝇", "foreign_object", "normal", nil, false},
		{"pest in the room", "other", "店里苍蝇乱飞", "hygiene", "normal", nil, false},
		{"hidden characters inside a word", "", "отра\u200bви\u202eлись", "foodborne_illness", "urgent", []string{"отравились"}, false},
		{"full-width and ё", "", "ОТРАВИЛИСЬ ВСЕЙ СЕМЬЁЙ", "foodborne_illness", "urgent", []string{"отравились"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Read(tt.submitted, tt.text)
			if r.Category != tt.category || r.Priority != tt.priority || r.Submitted != tt.submitted {
				t.Errorf("Read(%q, %q) = %s %s (submitted %q), want %s %s\nsignals %v denied %v",
					tt.submitted, tt.text, r.Category, r.Priority, r.Submitted, tt.category, tt.priority, r.Signals, r.Denied)
			}
			if !slices.Equal(r.Words(Illness), tt.illness) {
				t.Errorf("illness words %q, want %q", r.Words(Illness), tt.illness)
			}
			denied := slices.ContainsFunc(r.Denied, func(s Signal) bool { return s.Kind == Illness })
			if denied != tt.denied {
				t.Errorf("denied %v, want %v (%v)", r.Denied, tt.denied, r.Denied)
			}
			if r.Differs() != (r.Category != tt.submitted) {
				t.Errorf("Differs() = %v", r.Differs())
			}
		})
	}
}

// TestReasons checks the words the staff view shows beside the priority.
func TestReasons(t *testing.T) {
	r := Read("other", "Ели в этом кафе — рвота, температура")
	if got := r.Why(); got != "urgent because: рвота, температура" {
		t.Errorf("Why() = %q", got)
	}
	if len(r.Reasons) != 2 || r.Reasons[0].Field != "category" || r.Reasons[0].Because != Illness {
		t.Errorf("Reasons = %+v", r.Reasons)
	}
	r = Read("other", "孩子吃了他家的冰淇淋，肚子疼")
	if got := r.Why(); got != "urgent because: 肚子疼, 孩子" {
		t.Errorf("Why() = %q, want the children named too", got)
	}
	r = Read("hygiene", "学生食堂里发现老鼠")
	if got := r.Why(); got != "high because: 学生" {
		t.Errorf("Why() = %q", got)
	}
	r = Read("no_licence", "")
	if got := r.Why(); got != "normal (default)" || r.Reasons[0].Because != "submitted" {
		t.Errorf("Why() = %q, reasons %+v", got, r.Reasons)
	}
}

// TestEveryCategory checks that each signal can suggest its category.
func TestEveryCategory(t *testing.T) {
	for text, want := range map[string]string{
		"牛奶过期了":                       "spoiled_food",
		"hair in my burger":           "foreign_object",
		"Тараканы на кухне":           "hygiene",
		"Обвесили на рынке":           "price_weight",
		"operating without a license": "no_licence",
		"门口贴的笑脸是假的":                   "fake_grade",
		"外卖送了两个小时":                    "online_order",
		"в школьной столовой грязно":  "school_food",
		"吃坏肚子了":                       "foodborne_illness",
		"parking is a nightmare":      "other",
	} {
		if r := Read("", text); r.Category != want {
			t.Errorf("Read(%q) = %s, want %s (signals %v)", text, r.Category, want, r.Signals)
		}
	}
	for _, c := range shian.ComplaintCategories {
		if r := Read(c.Code, ""); r.Category != c.Code || r.Priority != c.Priority {
			t.Errorf("Read(%s, \"\") = %s %s, want the submitted category and its default priority", c.Code, r.Category, r.Priority)
		}
	}
}

// TestLexicon guards the embedded lexicon: it parses, a phrase that could
// never match is refused, and a phrase listed under two meanings is refused.
func TestLexicon(t *testing.T) {
	entries, err := parseLexicon(lexiconData)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 500 {
		t.Errorf("lexicon has %d phrases", len(entries))
	}
	for _, bad := range []string{"[illness]\nVomit", "[illness]\n發燒", "[illness]\n拉肚子*", "[illness]\nfood\n[neutral]\nfood", "vomit", "[nope]\nx", "[illness]\nvo*mit"} {
		if _, err := parseLexicon(bad); err == nil {
			t.Errorf("parseLexicon(%q) accepted", bad)
		}
	}
	for r, s := range t2s {
		if r == s || t2s[s] != 0 {
			t.Errorf("t2s folds %c to %c, which is not final", r, s)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  Ｂｅｉｄａｉｈｅ　ｎｅｗ　ａｒｅａ ": "beidaihe new area",
		"beidaihe-new_area":      "beidaihe new area",
		"Всё ЁЛКИ":               "все елки",
		"飯菜裡有頭髮":                 "饭菜里有头发",
		"didn’t":                 "didn't",
		"soooo sick":             "soo sick",
		"отравилисььь":           "отравилисьь",
		"a\u200bb\u202ec\ufeffd": "abcd",
		"\xff\xfe北戴":             "北戴",
		"1000 yuan":              "1000 yuan",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if Visible("\u200b\u202e \u2066\ufeff\n") || !Visible("\u200bа") {
		t.Error("Visible is wrong about invisible characters")
	}
}

// TestLocate is the district finder of triage, moved here, with the
// gazetteer's places.
func TestLocate(t *testing.T) {
	tests := []struct {
		text, want, name string
		words            []string
	}{
		{"我在北戴河新区黄金海岸吃海鲜", "bdhxinqu", "北戴河新区", []string{"北戴河新区", "黄金海岸"}},
		{"北戴河新區", "bdhxinqu", "北戴河新区", nil},
		{"北戴河的一家烧烤店", "beidaihe", "北戴河区", nil},
		{"北戴河新区的店，我住北戴河", "bdhxinqu", "", nil},
		{"在海港区住，去北戴河吃饭", "haigang", "", nil},
		{"秦皇岛经济技术开发区长江道", "etdz", "", nil},
		{"经开区", "etdz", "", nil},
		{"山海关古城", "shanhaiguan", "", nil},
		{"山海關", "shanhaiguan", "", nil},
		{"青龙县城", "qinglong", "", nil},
		{"BEIDAIHE beach", "beidaihe", "", nil},
		{"Ｂｅｉｄａｉｈｅ　ｎｅｗ　ａｒｅａ", "bdhxinqu", "", nil},
		{"beidaihe-new-area", "bdhxinqu", "", nil},
		{"in the development zone near the port", "etdz", "", nil},
		{"Shanhaiguan old town", "shanhaiguan", "", nil},
		{"a trip to changli for wine", "changli", "", nil},
		{"去beidaihe吃饭", "beidaihe", "", nil},
		{"Отель в Шаньхайгуане", "shanhaiguan", "", nil},
		{"рядом с Бейдайхе", "beidaihe", "", nil},
		{"鸽子窝公园门口的小摊", "beidaihe", "鸽子窝", []string{"鸽子窝"}},
		{"鴿子窩", "beidaihe", "鸽子窝", nil},
		{"near Pigeon Nest park", "beidaihe", "鸽子窝", nil},
		{"возле Голубиного гнезда", "beidaihe", "鸽子窝", nil},
		{"老龙头景区里的餐厅", "shanhaiguan", "老龙头", nil},
		{"у Старой головы дракона", "shanhaiguan", "老龙头", nil},
		{"天下第一关旁边", "shanhaiguan", "天下第一关", nil},
		{"First Pass Under Heaven", "shanhaiguan", "天下第一关", nil},
		{"联峰山附近的农家院", "beidaihe", "联峰山", nil},
		{"南戴河的海鲜大排档", "bdhxinqu", "南戴河", nil},
		{"Golden Coast, Beidaihe New Area", "bdhxinqu", "黄金海岸", []string{"golden coast", "beidaihe new area"}},
		{"на Золотом берегу", "bdhxinqu", "黄金海岸", nil},
		{"北戴河火车站对面", "beidaihe", "北戴河站", nil},
		{"秦皇岛站附近的小饭馆", "haigang", "秦皇岛站", nil},
		{"у вокзала Циньхуандао", "haigang", "秦皇岛站", nil},
		{"西港花园门口", "haigang", "西港花园", nil},
		{"奥体中心", "haigang", "奥体中心", nil},
		{"新澳海底世界", "haigang", "新澳海底世界", nil},
		{"碧螺塔酒吧", "beidaihe", "碧螺塔", nil},
		{"保二路12号", "beidaihe", "保二路", nil},
		{"东经路", "beidaihe", "东经路", nil},
		{"文化路上的面馆", "haigang", "文化路", nil},
		{"建设大街", "haigang", "建设大街", nil},
		{"海阳路", "haigang", "海阳路", nil},
		{"refunding my order", "", "", nil},
		{"changlin road", "", "", nil},
		{"饭店很脏", "", "", nil},
		{"秦皇岛", "", "", nil},
		{"", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p, ok := Locate(tt.text)
			if p.District != tt.want || ok != (tt.want != "") {
				t.Fatalf("Locate(%q) = %+v, %v; want %q", tt.text, p, ok, tt.want)
			}
			if tt.name != "" && p.Name != tt.name {
				t.Errorf("Locate(%q).Name = %q, want %q", tt.text, p.Name, tt.name)
			}
			if tt.words != nil && !slices.Equal(p.Words, tt.words) {
				t.Errorf("Locate(%q).Words = %q, want %q", tt.text, p.Words, tt.words)
			}
			for _, w := range p.Words {
				if !strings.Contains(Normalize(tt.text), w) {
					t.Errorf("word %q is not in the text", w)
				}
			}
		})
	}
}

// TestGazetteer guards the embedded gazetteer and its checks.
func TestGazetteer(t *testing.T) {
	ps, _, err := parseGazetteer(placesData)
	if err != nil {
		t.Fatal(err)
	}
	districts := map[string]bool{}
	for _, p := range ps {
		if p.Kind == "district" {
			districts[p.District] = true
		}
	}
	for _, d := range shian.Districts {
		if !districts[d.Code] {
			t.Errorf("district %s has no names in the gazetteer", d.Code)
		}
	}
	for _, bad := range []string{
		`{"places": [{"district": "atlantis", "kind": "district", "name": "x", "names": ["x"]}]}`,
		`{"places": [{"district": "haigang", "kind": "district", "name": "x", "names": ["X"]}]}`,
		`{"places": [{"district": "haigang", "kind": "city", "name": "x", "names": ["x"]}]}`,
		`{"places": [{"district": "haigang", "kind": "street", "name": "x", "names": []}]}`,
		`{"places": [{"district": "haigang", "kind": "street", "name": "x", "names": ["a"]}, {"district": "funing", "kind": "street", "name": "y", "names": ["a"]}]}`,
		`{"places": [], "extra": 1}`,
	} {
		if _, _, err := parseGazetteer([]byte(bad)); err == nil {
			t.Errorf("parseGazetteer(%s) accepted", bad)
		}
	}
}
