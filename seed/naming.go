package seed

import (
	"fmt"
	"slices"
	"strings"

	"shian"
)

// This file names shops, category by category, and holds the landmark
// shops every demo city contains.

// landmark is a shop every demo city has, whatever the seed: demos, the bot
// and the search tests ask for these by name.
type landmark struct {
	district, category, street string
	named
}

var landmarks = []landmark{
	{"beidaihe", "restaurant", "保二路", named{zh: "老二位海鲜", en: "Lao Er Wei Seafood", ru: "Морепродукты Лао Эр Вэй", aliases: []string{"老二位"}, seafood: true, credit: "92"}},
	{"haigang", "school_canteen", "文化路", named{zh: "秦皇岛市第一中学食堂", en: "Qinhuangdao No. 1 Middle School Canteen", aliases: []string{"一中食堂"}, credit: "12"}},
	{"beidaihe", "school_canteen", "西经路", named{zh: "北戴河区实验小学食堂", en: "Beidaihe Experimental Primary School Canteen", credit: "12"}},
	{"shanhaiguan", "restaurant", "南关大街", named{zh: "长城饺子馆", en: "Great Wall Dumplings", ru: "Пельменная «Великая стена»", credit: "92"}},
	{"haigang", "restaurant", "河北大街", named{zh: "重庆火锅", en: "Chongqing Hotpot", credit: "92"}},
	{"haigang", "canteen", "建设大街", named{zh: "中国银行秦皇岛分行食堂", en: "Bank of China Qinhuangdao Branch Canteen", credit: "91"}},
	{"beidaihe", "restaurant", "海宁路", named{zh: "快乐烧烤", en: "Happy BBQ", ru: "Шашлык у моря", credit: "92"}},
	{"beidaihe", "restaurant", "东经路", named{zh: "渔夫海鲜大排档", en: "Fisherman's Seafood BBQ", ru: "Морепродукты «Рыбак»", aliases: []string{"渔夫海鲜"}, seafood: true, credit: "92"}},
	{"beidaihe", "restaurant", "草厂路", named{zh: "鸽子窝渔家乐", en: "Pigeon Nest Fishing Village Inn", ru: "Рыбацкая усадьба «Голубиное гнездо»", seafood: true, credit: "92"}},
	{"shanhaiguan", "restaurant", "东大街", named{zh: "孟姜驴肉火烧", en: "Mengjiang Donkey Burger", ru: "Хошао с ослятиной «Мэнцзян»", credit: "92"}},
	{"beidaihe", "restaurant", "联峰路", named{zh: "金沙咖啡馆", en: "Golden Sands Café", ru: "Кофейня «Золотой песок»", credit: "92"}},
	{"haigang", "school_canteen", "河北大街", named{zh: "燕山大学学生食堂", en: "Yanshan University Canteen", credit: "12"}},
	{"bdhxinqu", "restaurant", "滨海大道", named{zh: "黄金海岸渔家乐", en: "Golden Coast Fishing Village Inn", ru: "Рыбацкая усадьба «Золотой берег»", seafood: true, credit: "92"}},
	{"changli", "producer", "碣阳大街", named{zh: "昌黎碣石葡萄酒有限公司", en: "Changli Jieshi Winery", sc: "115", credit: "91"}},
	{"haigang", "restaurant", "迎宾路", named{zh: "老秦海鲜大排档", en: "Lao Qin Seafood BBQ", seafood: true, credit: "92"}},
}

func (g *gen) landmark(l *landmark) *shian.Shop {
	d := &districts[districtIndex(l.district)]
	s := &shian.Shop{District: d.code, Category: l.category}
	g.used[l.zh] = true
	if l.category == "school_canteen" {
		g.used[strings.TrimSuffix(strings.TrimSuffix(l.zh, "学生食堂"), "食堂")] = true
	}
	g.fill(s, d, slices.Index(d.streets, l.street), l.named, true)
	return s
}

// name names a random shop of category s.Category in district d.
func (g *gen) name(s *shian.Shop, d *district, street string) named {
	switch s.Category {
	case "restaurant":
		return g.restaurant(d, street)
	case "retail":
		return g.trader(d, street, retailKinds, 15)
	case "online":
		n := g.trader(d, street, onlineKinds, 0)
		n.aliases = append(n.aliases, n.zh+"(外卖)")
		return n
	case "workshop":
		return g.family(d, workshopKinds)
	case "street_vendor":
		return g.family(d, vendorKinds)
	case "producer":
		return g.producer(d)
	case "canteen":
		return g.canteen(d)
	case "school_canteen":
		return g.school(d)
	}
	panic("seed: unknown category " + s.Category)
}

func pickKind(g *gen, kinds []kind, class int) *kind {
	total := 0
	for i := range kinds {
		total += kinds[i].w[class]
	}
	x := g.r.IntN(total)
	for i := range kinds {
		if x -= kinds[i].w[class]; x < 0 {
			return &kinds[i]
		}
	}
	return &kinds[len(kinds)-1]
}

// prefix picks a trading-name prefix: a family name (王记, 老赵家, 张家),
// a local landmark (鸽子窝, 孟姜) or a city-wide favourite (渔夫, 海韵).
func (g *gen) prefix(d *district, familyShare int) phrase {
	r := g.r
	if r.IntN(100) < familyShare {
		s := surnames[r.IntN(len(surnames))]
		switch r.IntN(3) {
		case 0:
			return phrase{s.zh + "记", s.en + "'s", s.ru + " Цзи"}
		case 1:
			return phrase{"老" + s.zh + "家", "Old " + s.en + "'s", "Лао " + s.ru}
		}
		return phrase{s.zh + "家", s.en + " Family", "Семья " + s.ru}
	}
	if len(d.prefixes) > 0 && r.IntN(5) < 2 {
		return d.prefixes[r.IntN(len(d.prefixes))]
	}
	return genericPrefixes[r.IntN(len(genericPrefixes))]
}

func (g *gen) restaurant(d *district, street string) named {
	r := g.r
	k := pickKind(g, restaurantKinds, d.class)
	var p phrase
	if len(k.extra) > 0 && r.IntN(100) < 35 {
		p = k.extra[r.IntN(len(k.extra))]
	} else {
		p = g.prefix(d, 40)
	}
	n := compose(p, k)
	if r.IntN(8) == 0 {
		n.credit = "91"
	}
	switch {
	case k.zh == "烧烤" && d.code == "beidaihe" && r.IntN(4) == 0:
		n.ru = "Шашлык у моря"
	case k.zh == "饺子馆" && r.IntN(5) == 0:
		n.ru = "Пельменная"
	}
	if k.short != "" && r.IntN(6) == 0 && p.zh+k.short != n.zh {
		n.aliases = append(n.aliases, p.zh+k.short)
	}
	g.branch(&n, street, 25)
	return n
}

// compose names a sole trader's shop by prefix and kind: 王记饺子馆,
// "Wang's Dumplings", "Пельменная «Ван Цзи»".
func compose(p phrase, k *kind) named {
	return named{
		zh:      p.zh + k.zh,
		en:      p.en + " " + k.en,
		ru:      k.ru + " «" + p.ru + "»",
		seafood: k.seafood,
		credit:  "92",
	}
}

// branch makes some shops a branch named after its street, as on
// delivery apps: 王记饺子馆(河北大街店); the plain name becomes an alias.
func (g *gen) branch(n *named, street string, pct int) {
	if g.r.IntN(100) >= pct {
		return
	}
	n.aliases = append([]string{n.zh}, n.aliases...)
	n.zh += "(" + street + "店)"
}

// trader names retail and delivery-only shops.
func (g *gen) trader(d *district, street string, kinds []kind, branchPct int) named {
	k := pickKind(g, kinds, d.class)
	n := compose(g.prefix(d, 40), k)
	g.branch(&n, street, branchPct)
	return n
}

// family names workshops and street stalls after their owners: 王家豆腐坊,
// 老李烤鱿鱼.
func (g *gen) family(d *district, kinds []kind) named {
	r := g.r
	k := pickKind(g, kinds, d.class)
	s := surnames[r.IntN(len(surnames))]
	n := named{seafood: k.seafood, credit: "92"}
	switch r.IntN(3) {
	case 0:
		n.zh, n.en, n.ru = s.zh+"家"+k.zh, s.en+" Family "+k.en, k.ru+" семьи "+s.ru
	case 1:
		n.zh, n.en, n.ru = "老"+s.zh+k.zh, "Old "+s.en+"'s "+k.en, k.ru+" «Лао "+s.ru+"»"
	default:
		n.zh, n.en, n.ru = s.zh+"记"+k.zh, s.en+"'s "+k.en, k.ru+" «"+s.ru+" Цзи»"
	}
	if k.short != "" && r.IntN(5) == 0 {
		n.aliases = []string{"老" + s.zh + k.short}
	}
	return n
}

// placeName is how company names begin: the city, or the county.
func placeName(d *district) (zh, en string) {
	switch d.code {
	case "funing":
		return "抚宁", "Funing"
	case "qinglong":
		return "青龙", "Qinglong"
	case "changli":
		return "昌黎", "Changli"
	case "lulong":
		return "卢龙", "Lulong"
	}
	return "秦皇岛", "Qinhuangdao"
}

func (g *gen) producer(d *district) named {
	r := g.r
	// The county's speciality counts five times.
	var choice []int
	for i, p := range products {
		switch {
		case p.only == d.code:
			choice = append(choice, i, i, i, i, i)
		case p.only == "" && (!p.coastal || d.coastal):
			choice = append(choice, i)
		}
	}
	place, placeEN := placeName(d)
	var n named
	for try := 0; ; try++ {
		p := products[choice[r.IntN(len(choice))]]
		pre := g.tradeName()
		if len(d.prefixes) > 0 && r.IntN(5) == 0 {
			pre = d.prefixes[r.IntN(len(d.prefixes))]
		}
		n = named{zh: place + pre.zh + p.zh, en: placeEN + " " + pre.en + " " + p.en, sc: p.sc, credit: "91"}
		if !g.used[n.zh] || try >= 8 {
			break
		}
	}
	return g.unique(n, "分厂", "Plant")
}

// tradeName returns a two-character company trade name (字号) like 鑫源.
func (g *gen) tradeName() phrase {
	a := tradeChars[g.r.IntN(len(tradeChars))]
	b := tradeChars[g.r.IntN(len(tradeChars))]
	for b.zh == a.zh {
		b = tradeChars[g.r.IntN(len(tradeChars))]
	}
	return phrase{zh: a.zh + b.zh, en: strings.ToUpper(a.py[:1]) + a.py[1:] + b.py}
}

// unique records an institution's name; a repeated one gets a number
// (秦皇岛鑫源食品厂二分厂, "… Plant 2"; …职工食堂(二食堂)) so that two institutions never
// share a name.
func (g *gen) unique(n named, unitZH, unitEN string) named {
	if !g.used[n.zh] {
		g.used[n.zh] = true
		return n
	}
	key := "dup:" + n.zh
	for i := max(2, g.next[key]+1); ; i++ {
		zh := n.zh + cnNumber(i) + unitZH
		if unitZH == "食堂" {
			zh = n.zh + "(" + cnNumber(i) + unitZH + ")" // 燕山大学学生食堂(二食堂)
		}
		if !g.used[zh] {
			g.used[zh] = true
			g.next[key] = i
			n.zh = zh
			n.en = fmt.Sprintf("%s, %s %d", n.en, unitEN, i)
			return n
		}
	}
}

// canteen names a staff canteen: first the district's public bodies and
// banks, then the canteens of companies.
func (g *gen) canteen(d *district) named {
	r := g.r
	key := "unit:" + d.code
	if i := g.next[key]; i < len(units) && r.IntN(2) == 0 {
		g.next[key] = i + 1
		u := units[i]
		en := d.en
		if d.code == "etdz" {
			en = "ETDZ"
		}
		return g.unique(named{
			zh:     fmt.Sprintf(u.zh, d.short),
			en:     fmt.Sprintf(u.en, en),
			credit: u.reg + u.code,
		}, "食堂", "Canteen")
	}
	place, placeEN := placeName(d)
	var n named
	for try := 0; ; try++ {
		c := companies[r.IntN(len(companies))]
		if c.port && d.code != "haigang" && d.code != "etdz" {
			continue
		}
		pre := g.tradeName()
		n = named{zh: place + pre.zh + c.zh + "职工食堂", en: placeEN + " " + pre.en + " " + c.en + " Staff Canteen", credit: "91"}
		if !g.used[n.zh] || try >= 8 {
			break
		}
	}
	return g.unique(n, "食堂", "Canteen")
}

// school names a school canteen: the district's known schools first, then
// numbered primary schools, middle schools and kindergartens.
func (g *gen) school(d *district) named {
	r := g.r
	for _, sc := range d.schools {
		if !g.used[sc.zh] {
			g.used[sc.zh] = true
			zh, en := sc.zh+"食堂", sc.en+" Canteen"
			if strings.HasSuffix(sc.zh, "大学") || strings.HasSuffix(sc.zh, "学院") || strings.HasSuffix(sc.zh, "分校") {
				zh = sc.zh + "学生食堂"
			}
			return g.unique(named{zh: zh, en: en, credit: "12"}, "食堂", "Canteen")
		}
	}
	levels := [...]struct{ zh, en string }{{"小学", "Primary School"}, {"中学", "Middle School"}, {"幼儿园", "Kindergarten"}}
	lv := levels[0]
	switch x := r.IntN(100); {
	case x >= 80:
		lv = levels[2]
	case x >= 55:
		lv = levels[1]
	}
	key := "school:" + d.code + lv.zh
	for {
		g.next[key]++
		i := g.next[key]
		school := d.short + "第" + cnNumber(i) + lv.zh
		if g.used[school] {
			continue
		}
		g.used[school] = true
		return g.unique(named{zh: school + "食堂", en: fmt.Sprintf("%s No. %d %s Canteen", d.en, i, lv.en), credit: "12"}, "食堂", "Canteen")
	}
}

// cnNumber writes 1 ≤ n ≤ 99999 in Chinese numerals as in school names:
// 一, 十二, 二十, 一百零五.
func cnNumber(n int) string {
	const digits = "零一二三四五六七八九"
	digit := func(i int) string { return string([]rune(digits)[i]) }
	if n < 10 {
		return digit(n)
	}
	if n < 20 {
		if n == 10 {
			return "十"
		}
		return "十" + digit(n-10)
	}
	units := [...]string{"", "十", "百", "千", "万"}
	var parts []string
	zero := false
	for pos := 0; n > 0; pos, n = pos+1, n/10 {
		d := n % 10
		if d == 0 {
			if len(parts) > 0 && !zero {
				parts = append(parts, "零")
				zero = true
			}
			continue
		}
		zero = false
		parts = append(parts, digit(d)+units[pos])
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return b.String()
}
