package names

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"shian"
)

// MustNew loads the embedded data or fails the test.
func MustNew(tb testing.TB) *Namer {
	tb.Helper()
	n, err := New()
	if err != nil {
		tb.Fatalf("names.New: %v", err)
	}
	return n
}

func TestPalladiusKnownTranscriptions(t *testing.T) {
	n := MustNew(t)
	// Place names as Russian maps write them (Palladius, syllables joined);
	// traditional forms outside the system (Харбин, Нанкин) are left out.
	for _, c := range []struct{ zh, want string }{
		{"北京", "Бэйцзин"}, {"上海", "Шанхай"}, {"秦皇岛", "Циньхуандао"}, {"北戴河", "Бэйдайхэ"},
		{"山海关", "Шаньхайгуань"}, {"长城", "Чанчэн"}, {"老龙头", "Лаолунтоу"}, {"重庆", "Чунцин"},
		{"西安", "Сиань"}, {"长安", "Чанъань"}, {"天安门", "Тяньаньмэнь"}, {"广州", "Гуанчжоу"},
		{"深圳", "Шэньчжэнь"}, {"青岛", "Циндао"}, {"大连", "Далянь"}, {"天津", "Тяньцзинь"},
		{"杭州", "Ханчжоу"}, {"苏州", "Сучжоу"}, {"昌黎", "Чанли"}, {"抚宁", "Фунин"}, {"卢龙", "Лулун"},
		{"青龙", "Цинлун"}, {"海港", "Хайган"}, {"黄河", "Хуанхэ"}, {"长江", "Чанцзян"}, {"四川", "Сычуань"},
		{"湖南", "Хунань"}, {"广东", "Гуандун"}, {"山东", "Шаньдун"}, {"新疆", "Синьцзян"}, {"西藏", "Сицзан"},
		{"内蒙古", "Нэймэнгу"}, {"云南", "Юньнань"}, {"贵州", "Гуйчжоу"}, {"吉林", "Цзилинь"}, {"辽宁", "Ляонин"},
		{"江西", "Цзянси"}, {"福建", "Фуцзянь"}, {"浙江", "Чжэцзян"}, {"安徽", "Аньхуэй"}, {"河北", "Хэбэй"},
		{"河南", "Хэнань"}, {"湖北", "Хубэй"}, {"甘肃", "Ганьсу"}, {"宁夏", "Нинся"}, {"青海", "Цинхай"},
		{"海南", "Хайнань"}, {"台湾", "Тайвань"}, {"香港", "Сянган"}, {"澳门", "Аомэнь"}, {"毛泽东", "Маоцзэдун"},
		{"邓小平", "Дэнсяопин"}, {"孔子", "Кунцзы"}, {"乐亭", "Лаотин"},
	} {
		if got := joinedCyrillic(n.sp.spell(c.zh)); got != c.want {
			t.Errorf("%s = %s, want %s", c.zh, got, c.want)
		}
	}
}

func TestPalladiusSyllables(t *testing.T) {
	for _, c := range []struct{ py, want string }{
		// -n and -ng
		{"an", "ань"}, {"ang", "ан"}, {"shen", "шэнь"}, {"sheng", "шэн"}, {"jin", "цзинь"}, {"jing", "цзин"},
		{"yun", "юнь"}, {"yong", "юн"}, {"weng", "вэн"}, {"wen", "вэнь"},
		// zh ch sh r, z c s
		{"zhi", "чжи"}, {"chi", "чи"}, {"shi", "ши"}, {"ri", "жи"}, {"zi", "цзы"}, {"ci", "цы"}, {"si", "сы"},
		{"re", "жэ"}, {"rou", "жоу"}, {"ren", "жэнь"}, {"zhuo", "чжо"}, {"shuo", "шо"},
		// j q x with ü
		{"ju", "цзюй"}, {"qu", "цюй"}, {"xu", "сюй"}, {"jue", "цзюэ"}, {"quan", "цюань"}, {"xun", "сюнь"},
		{"nv", "нюй"}, {"lv", "люй"}, {"lve", "люэ"}, {"nüe", "нюэ"},
		// -ian -ie -ui -un -iu, er
		{"tian", "тянь"}, {"xian", "сянь"}, {"xie", "се"}, {"bie", "бе"}, {"gui", "гуй"}, {"dui", "дуй"},
		{"hui", "хуэй"}, {"chun", "чунь"}, {"shun", "шунь"}, {"liu", "лю"}, {"jiu", "цзю"}, {"er", "эр"},
		// y- w- and bare finals
		{"yi", "и"}, {"ye", "е"}, {"you", "ю"}, {"yue", "юэ"}, {"yuan", "юань"}, {"wo", "во"}, {"wu", "у"},
		{"e", "э"}, {"ou", "оу"}, {"ai", "ай"}, {"a", "а"},
		// -uo and -o
		{"guo", "го"}, {"duo", "до"}, {"bo", "бо"}, {"mo", "мо"}, {"fo", "фо"},
	} {
		got, ok := palladiusSyllable(c.py)
		if !ok || got != c.want {
			t.Errorf("%s = %q (%v), want %s", c.py, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "x", "ng", "hm", "bv", "zhv", "q", "abc"} {
		if got, ok := palladiusSyllable(bad); ok {
			t.Errorf("%q = %q, want not a syllable", bad, got)
		}
	}
}

// Every reading go-pinyin knows for a character of the basic CJK block is
// spelled, except the vowelless interjections (嗯 n, 呣 m, 哼 hng …).
func TestPalladiusCoversGoPinyin(t *testing.T) {
	args := pinyin.NewArgs()
	args.Heteronym = true
	seen := map[string]bool{}
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		for _, py := range pinyin.SinglePinyin(r, args) {
			if strings.Trim(py, "abcdefghijklmnopqrstuvwxyz") == "" {
				seen[py] = true // readings with tone marks left are interjections (欸 ê̄)
			}
		}
	}
	interjections := map[string]bool{"n": true, "m": true, "ng": true, "hm": true, "hng": true, "ê": true}
	var missing []string
	for py := range seen {
		if _, ok := palladiusSyllable(py); !ok && !interjections[py] {
			missing = append(missing, py)
		}
	}
	if len(seen) < 380 {
		t.Fatalf("only %d syllables seen", len(seen))
	}
	if len(missing) > 0 {
		t.Fatalf("no Palladius spelling for %v", missing)
	}
}

func TestPolyphones(t *testing.T) {
	n := MustNew(t)
	for _, c := range []struct{ zh, want string }{
		{"长城", "Chang Cheng"}, {"重庆", "Chong Qing"}, {"快乐", "Kuai Le"}, {"银行", "Yin Hang"},
		{"音乐", "Yin Yue"}, {"乐亭", "Lao Ting"}, {"海参", "Hai Shen"}, {"馄饨", "Hun Tun"},
		{"刀削面", "Dao Xiao Mian"}, {"步行街", "Bu Xing Jie"}, {"市长", "Shi Zhang"}, {"长寿", "Chang Shou"},
		{"绿", "Lü"}, {"女", "Nü"},
	} {
		if got := n.Pinyin(c.zh); got != c.want {
			t.Errorf("Pinyin(%s) = %q, want %q", c.zh, got, c.want)
		}
	}
}

func TestSyllables(t *testing.T) {
	n := MustNew(t)
	got := strings.Join(n.Syllables("重庆老火锅 KTV 绿茶A8"), " ")
	if want := "chong qing lao huo guo ktv lv cha a8"; got != want {
		t.Errorf("Syllables = %q, want %q", got, want)
	}
}

func TestVisitorNames(t *testing.T) {
	n := MustNew(t)
	for _, c := range []struct{ zh, en, ru string }{
		{"老二位海鲜大排档", "Lao Er Wei Seafood Stall", "Морепродукты Лао Эр Вэй"},
		{"重庆老火锅", "Chong Qing Traditional Hotpot", "Хого Чун Цин"},
		{"张记饺子馆", "Zhang Ji Dumpling House", "Пельменная Чжан Цзи"},
		{"老王烧烤店", "Lao Wang BBQ", "Шашлычная Лао Ван"},
		{"海边咖啡馆", "Hai Bian Café", "Кофейня Хай Бянь"},
		{"李家火锅", "Li Jia Hotpot", "Хого Ли Цзя"},
		{"小王拉面馆", "Xiao Wang Lamian House", "Лапшичная Сяо Ван"},
		{"长城饭店", "Chang Cheng Restaurant", "Ресторан Чан Чэн"},
		// Several trade words: Chinese order in English, commas in Russian.
		{"渤海海鲜烧烤啤酒", "Bo Hai Seafood BBQ Beer", "Морепродукты на гриле, пиво Бо Хай"},
		// Branches, bracketed or not.
		{"老二位海鲜大排档（保二路店）", "Lao Er Wei Seafood Stall (Bao Er Lu Branch)", "Морепродукты Лао Эр Вэй (филиал Бао Эр Лу)"},
		{"张记饺子馆北戴河店", "Zhang Ji Dumpling House (Bei Dai He Branch)", "Пельменная Чжан Цзи (филиал Бэй Дай Хэ)"},
		// Numbered outlets; a proper name ending in a numeral keeps it.
		{"张记饺子馆2号店", "Zhang Ji Dumpling House (No. 2)", "Пельменная Чжан Цзи (№ 2)"},
		{"北戴饺子馆第0号", "Bei Dai Dumpling House (No. 0)", "Пельменная Бэй Дай (№ 0)"},
		{"老王烧烤第一分店", "Lao Wang BBQ (No. 1)", "Шашлык Лао Ван (№ 1)"},
		{"老九号", "Lao Jiu Hao", "Лао Цзю Хао"},
		// Trade words first.
		{"烧烤王老五", "Wang Lao Wu BBQ", "Шашлык Ван Лао У"},
		// Trade words only, a brand, a brand with a branch.
		{"海鲜大排档", "Seafood Stall", "Морепродукты"},
		{"肯德基", "KFC", "KFC"},
		{"麦当劳(海港店)", "McDonald's (Hai Gang Branch)", "Макдоналдс (филиал Хай Ган)"},
		{"瑞幸咖啡", "Luckin Coffee", "Luckin Coffee"},
		// Specialities.
		{"四条包子", "Sitiao Baozi", "Баоцзы «Сытяо»"},
		{"秦皇岛皮皮虾", "Qin Huang Dao Mantis Shrimp", "Рак-богомол Цинь Хуан Дао"},
		// Letters and digits stay.
		{"A8咖啡", "A8 Coffee", "Кофе A8"},
		{"KTV量贩", "KTV Liang Fan", "KTV Лян Фань"},
		{"Ｂｏｂ's 汉堡", "Bob's Burgers", "Бургеры Bob's"},
		// Best effort: a name with nothing to spell comes back as it was.
		{"！！！", "！！！", "！！！"},
		{"Starbucks", "Starbucks", "Starbucks"},
	} {
		got := n.Visitor(c.zh)
		if got.EN != c.en || got.RU != c.ru {
			t.Errorf("Visitor(%s) = %q / %q, want %q / %q", c.zh, got.EN, got.RU, c.en, c.ru)
		}
	}
}

func TestAddress(t *testing.T) {
	n := MustNew(t)
	for _, c := range []struct{ zh, en, ru string }{
		{"北戴河区保二路12号", "12 Bao'er Lu, Beidaihe District", "ул. Баоэр 12, район Бэйдайхэ"},
		{"河北省秦皇岛市海港区文化路123号阳光小区3号楼2单元501室",
			"Rm 501, Unit 2, Bldg 3, Yangguang Residential Area, 123 Wenhua Lu, Haigang District, Qinhuangdao, Hebei",
			"кв. 501, подъезд 2, корп. 3, ЖК Янгуан, ул. Вэньхуа 123, район Хайган, Циньхуандао, провинция Хэбэй"},
		{"秦皇岛市山海关区古城南大街5-2号", "5-2 Guchengnan Dajie, Shanhaiguan District, Qinhuangdao", "ул. Гучэннань 5-2, район Шаньхайгуань, Циньхуандао"},
		{"北戴河新区滨海大道８８号", "88 Binhai Dadao, Beidaihe New Area", "просп. Биньхай 88, новый район Бэйдайхэ"},
		{"昌黎县黄金海岸浴场", "Huangjinhai'an Beach, Changli County", "пляж Хуанцзиньхайань, уезд Чанли"},
		{"海港区 海洋市场 18号", "No. 18, Haiyang Market, Haigang District", "д. 18, рынок Хайян, район Хайган"},
		{"???", "???", "???"},
	} {
		got := n.Address(c.zh)
		if got.ZH != strings.TrimSpace(c.zh) || got.EN != c.en || got.RU != c.ru {
			t.Errorf("Address(%s) = %+v, want %q / %q", c.zh, got, c.en, c.ru)
		}
	}
}

func TestGlossaryData(t *testing.T) {
	g := MustNew(t).Glossary()
	if g.Len() < 200 {
		t.Fatalf("glossary has %d entries, want at least 200", g.Len())
	}
	local := 0
	for _, e := range g.Entries() {
		if e.Kind == KindLocal {
			local++
		}
	}
	if local < 10 {
		t.Errorf("%d Qinhuangdao specialities, want at least 10", local)
	}
}

func TestSynonyms(t *testing.T) {
	syn := MustNew(t).Glossary().Synonyms()
	has := func(k, v string) bool {
		for _, s := range syn[k] {
			if s == v {
				return true
			}
		}
		return false
	}
	for _, group := range [][]string{
		{"coffee", "кофе", "咖啡"}, {"coffee", "кафе"}, {"café", "кофейня"},
		{"bbq", "шашлык", "烧烤"}, {"barbecue", "шашлык"}, {"烤串", "шашлык"},
		{"dumplings", "пельмени", "饺子"}, {"jiaozi", "饺子"},
		{"noodles", "лапша"}, {"lamian", "拉面"}, {"面馆", "noodles"}, {"面", "лапша"},
		{"hotpot", "хого", "火锅"}, {"seafood", "морепродукты", "海鲜"},
	} {
		for _, a := range group {
			for _, b := range group {
				if a != b && !has(a, b) {
					t.Errorf("synonyms[%q] lacks %q", a, b)
				}
			}
		}
	}
	// Both directions, for every pair.
	for k, vs := range syn {
		if k != strings.ToLower(k) {
			t.Errorf("key %q is not lower case", k)
		}
		for _, v := range vs {
			if !has(v, k) {
				t.Errorf("%q → %q but not back", k, v)
			}
		}
	}
	// Two synonyms of one entry are not made synonyms of each other.
	if has("seafood", "bbq") || has("шашлык", "морепродукты") {
		t.Errorf("seafood and bbq became synonyms through 海鲜烧烤")
	}
}

func TestExpand(t *testing.T) {
	g := MustNew(t).Glossary()
	contains := func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"Hotpot", []string{"hotpot", "火锅", "хого"}},
		{"  Пельмени ", []string{"пельмени", "饺子", "dumplings"}},
		{"кафе", []string{"кафе", "咖啡"}},
		{"шашлык", []string{"烧烤", "bbq"}},
		{"seafood bbq", []string{"seafood bbq", "海鲜", "烧烤", "морепродукты"}},
		{"zzz", []string{"zzz"}},
	} {
		got := g.Expand(c.q)
		if got[0] != strings.Join(strings.Fields(strings.ToLower(c.q)), " ") || len(got) > maxExpansions {
			t.Errorf("Expand(%q) = %v", c.q, got)
		}
		for _, w := range c.want {
			if !contains(got, w) {
				t.Errorf("Expand(%q) = %v, lacks %q", c.q, got, w)
			}
		}
	}
	if g.Expand("  ") != nil {
		t.Error("blank query expanded")
	}
}

func TestLoadRefusesBadLines(t *testing.T) {
	base := Data()
	read := func(name string) string {
		b, err := fstestRead(base, name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := map[string]string{}
	for _, f := range []string{"glossary.tsv", "polyphones.tsv", "items.tsv", "address.tsv"} {
		good[f] = read(f)
	}
	for _, c := range []struct {
		name, file, extra, want string
	}{
		{"duplicate glossary zh", "glossary.tsv", "饺子\tDumplings\tпельмени\tdish\t", "glossary.tsv line %d: 饺子 is already defined on line"},
		{"too few fields", "glossary.tsv", "海鲜\tSeafood", "glossary.tsv line %d: 2 tab-separated fields"},
		{"unknown kind", "glossary.tsv", "羊排\tLamb Chops\tбараньи рёбра\tmeat\t", "glossary.tsv line %d: unknown kind"},
		{"latin zh", "glossary.tsv", "KFC\tKFC\tKFC\tbrand\t", "glossary.tsv line %d: zh \"KFC\""},
		{"no cyrillic", "glossary.tsv", "羊排\tLamb Chops\tlamb\tdish\t", "glossary.tsv line %d: ru \"lamb\" has no Cyrillic"},
		{"empty synonym", "glossary.tsv", "羊排\tLamb Chops\tбараньи рёбра\tdish\tlamb||chops", "glossary.tsv line %d: empty synonym"},
		{"bad syllable", "polyphones.tsv", "长城\tchang qxz", "polyphones.tsv line %d:"},
		{"syllable count", "polyphones.tsv", "大连\tda", "polyphones.tsv line %d: \"大连\" has 2 characters but 1 syllables"},
		{"duplicate item", "items.tsv", "sample_retention\t留样\tSamples\tпробы\t1\thigh\t留样", "items.tsv line %d: code sample_retention is already defined"},
		{"bad severity", "items.tsv", "x_item\t留样\tSamples\tпробы\t1\tsevere\t留样", "items.tsv line %d: severity"},
		{"address template", "address.tsv", "弄\tstreet\tNong\tпер.", "address.tsv line %d: en and ru must each hold {}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for f, text := range good {
				fsys[f] = &fstest.MapFile{Data: []byte(text)}
			}
			text := good[c.file] + c.extra + "\n"
			fsys[c.file] = &fstest.MapFile{Data: []byte(text)}
			line := strings.Count(text, "\n")
			_, err := Open(fsys)
			if err == nil {
				t.Fatal("loaded")
			}
			want := strings.Replace(c.want, "%d", itoa(line), 1)
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not contain %q", err, want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line != line || le.File != c.file {
				t.Fatalf("error %v is not a *LineError for %s line %d", err, c.file, line)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := Open(fstest.MapFS{}); err == nil {
			t.Fatal("loaded without files")
		}
	})
}

func TestCatalog(t *testing.T) {
	c := MustNew(t).Catalog()
	if len(c.Items()) < 20 {
		t.Fatalf("%d items", len(c.Items()))
	}
	for _, it := range c.Items() {
		if !hasScript(it.RU, unicode.Cyrillic) || it.EN == "" || it.ZH == "" {
			t.Errorf("item %s is not translated", it.Code)
		}
	}
	for _, m := range []struct{ text, code string }{
		{"餐具消毒不到位", "tableware_disinfection"},
		{"消毒柜未正常使用", "tableware_disinfection"},
		{"洗手消毒设施缺失", "handwashing"},
		{"冰箱温度过高", "cold_storage"},
		{"从业人员无健康证明", "health_certificates"},
		{"超过保质期的食品", "prohibited_food"},
		{"预包装食品标签不全", "expiry_labels"},
		{"生熟混放", "raw_cooked_separation"},
		{"食品添加剂未专柜存放", "food_additives"},
		{"未按规定留样", "sample_retention"},
		{"索证索票不全", "procurement_records"},
		{"进货台账缺失", "procurement_records"},
		{"许可证未公示", "licence_displayed"},
		{"许可证过期", "licence_valid"},
		{"发现老鼠", "pest_control"},
		{"垃圾桶未加盖", "waste_disposal"},
		{"从业人员未戴工作帽", "staff_hygiene"},
		{"原料未离地离墙存放", "storage"},
		{"未实行明厨亮灶", "open_kitchen"},
		{"未提示过敏原", "allergen_info"},
		{"经营者态度恶劣", ""},
		{"", ""},
	} {
		code, ok := c.Match(m.text)
		if code != m.code || ok != (m.code != "") {
			t.Errorf("Match(%q) = %q, %v, want %q", m.text, code, ok, m.code)
		}
	}
	codes := c.MatchAll([]string{"餐具消毒不到位", "经营者态度恶劣"})
	if len(codes) != 2 || codes[0] != "tableware_disinfection" || codes[1] != "" {
		t.Errorf("MatchAll = %q", codes)
	}
	if c.MatchAll([]string{"经营者态度恶劣"}) != nil {
		t.Error("MatchAll with no match is not nil")
	}
	for _, r := range []struct {
		code, text, lang string
		want             Rendered
	}{
		{"sample_retention", "未留样", "en", Rendered{Text: "Samples of every dish kept as required (at least 125 g, refrigerated 48 hours)", Lang: "en"}},
		{"sample_retention", "未留样", "ru", Rendered{Text: "Пробы каждого блюда сохраняются по нормам (не менее 125 г, 48 часов в холоде)", Lang: "ru"}},
		{"sample_retention", "未留样", "zh", Rendered{Text: "未留样", Lang: "zh"}},
		{"sample_retention", "", "zh", Rendered{Text: "按规定留样（每个品种不少于125克，冷藏48小时以上）", Lang: "zh"}},
		{"sample_retention", "未留样", "de", Rendered{Text: "Samples of every dish kept as required (at least 125 g, refrigerated 48 hours)", Lang: "en"}},
		{"", "经营者态度恶劣", "en", Rendered{Text: "经营者态度恶劣", Lang: "zh", Note: "(in Chinese)"}},
		{"", "经营者态度恶劣", "ru", Rendered{Text: "经营者态度恶劣", Lang: "zh", Note: "(на китайском)"}},
		{"no_such_code", "dirty floor", "ru", Rendered{Text: "dirty floor"}},
	} {
		if got := c.Render(r.code, r.text, r.lang); got != r.want {
			t.Errorf("Render(%q, %q, %s) = %+v, want %+v", r.code, r.text, r.lang, got, r.want)
		}
	}
}

func fstestRead(fsys interface {
	Open(string) (fs.File, error)
}, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name)
	return string(b), err
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestFill(t *testing.T) {
	n := MustNew(t)
	s := &shian.Shop{Name: "老二位海鲜大排档", NameRU: "Ресторан «Лао Эр Вэй»", Address: "北戴河区保二路12号",
		Inspections: []shian.Inspection{{ItemsFailed: []string{"未按规定留样", "经营者态度恶劣"}}, {}}}
	n.Fill(s)
	n.Fill(s) // idempotent
	checks := []struct{ name, got, want string }{
		{"name_en", s.NameEN, "Lao Er Wei Seafood Stall"},
		{"name_ru supplied wins", s.NameRU, "Ресторан «Лао Эр Вэй»"},
		{"generated", fmt.Sprint(s.NameENGenerated, s.NameRUGenerated), "true false"},
		{"address_en", s.AddressEN, "12 Bao'er Lu, Beidaihe District"},
		{"address_ru", s.AddressRU, "ул. Баоэр 12, район Бэйдайхэ"},
		{"address kept", s.Address, "北戴河区保二路12号"},
		{"codes", fmt.Sprintf("%q", s.Inspections[0].ItemCodes), `["sample_retention" ""]`},
		{"no codes", fmt.Sprint(s.Inspections[1].ItemCodes == nil), "true"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}
