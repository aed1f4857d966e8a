package seed

// This file holds the vocabulary shop names are made of, in Chinese,
// English and Russian.

// phrase is one name part in the three languages of the public pages.
type phrase struct{ zh, en, ru string }

// genericPrefixes are trading-name prefixes found all over the city. A few
// have polyphonic characters (长城, 快乐) on purpose: search tests pinyin on
// them. 老二位 is kept out: it belongs to one famous Beidaihe shop only.
var genericPrefixes = []phrase{
	{"渔夫", "Fisherman's", "Рыбак"},
	{"海韵", "Haiyun", "Хайюнь"},
	{"老秦", "Lao Qin", "Лао Цинь"},
	{"长城", "Great Wall", "Великая стена"},
	{"金沙", "Golden Sands", "Золотой песок"},
	{"山海", "Shanhai", "Шаньхай"},
	{"快乐", "Happy", "Радость"},
	{"海鸥", "Seagull", "Чайка"},
	{"蓝湾", "Blue Bay", "Голубая бухта"},
	{"鑫源", "Xinyuan", "Синьюань"},
	{"福临门", "Fulinmen", "Фулиньмэнь"},
	{"小胖", "Xiaopang", "Сяопан"},
	{"老街", "Old Street", "Старая улица"},
	{"东北", "Dongbei", "Дунбэй"},
	{"海滨", "Seaside", "У моря"},
	{"好运来", "Good Luck", "Удача"},
	{"一品", "Yipin", "Ипинь"},
	{"聚福", "Jufu", "Цзюйфу"},
}

// surnames are common family names with their pinyin and Palladius spellings.
var surnames = []phrase{
	{"王", "Wang", "Ван"}, {"张", "Zhang", "Чжан"}, {"李", "Li", "Ли"}, {"刘", "Liu", "Лю"},
	{"陈", "Chen", "Чэнь"}, {"杨", "Yang", "Ян"}, {"赵", "Zhao", "Чжао"}, {"黄", "Huang", "Хуан"},
	{"周", "Zhou", "Чжоу"}, {"吴", "Wu", "У"}, {"孙", "Sun", "Сунь"}, {"马", "Ma", "Ма"},
	{"高", "Gao", "Гао"}, {"郭", "Guo", "Го"}, {"于", "Yu", "Юй"}, {"田", "Tian", "Тянь"},
	{"韩", "Han", "Хань"}, {"齐", "Qi", "Ци"},
}

// givenNames make up inspectors' names.
var givenNames = []string{
	"伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
	"秀英", "桂兰", "建华", "志强", "海燕", "丽华", "晓东", "春雨", "立新", "宏伟", "雪梅",
}

// kind is a kind of business within a category, e.g. 饺子馆 among restaurants.
type kind struct {
	phrase
	// w is the weight by district class (beach, urban, county).
	w [3]int
	// short, when set, is a shorter form people use (an alias): 王记饺子.
	short string
	// extra are kind-specific prefixes: 重庆火锅, 马记兰州拉面.
	extra []phrase
	// seafood kinds get seafood-specific inspection findings.
	seafood bool
}

var restaurantKinds = []kind{
	{phrase: phrase{"海鲜大排档", "Seafood BBQ", "Морепродукты"}, w: [3]int{16, 5, 1}, short: "海鲜", seafood: true},
	{phrase: phrase{"渔家乐", "Fishing Village Inn", "Рыбацкая усадьба"}, w: [3]int{9, 2, 1}, seafood: true},
	{phrase: phrase{"海鲜酒家", "Seafood Restaurant", "Ресторан морепродуктов"}, w: [3]int{6, 4, 1}, short: "海鲜", seafood: true},
	{phrase: phrase{"烧烤", "BBQ", "Шашлычная"}, w: [3]int{10, 10, 8}},
	{phrase: phrase{"饺子馆", "Dumplings", "Пельменная"}, w: [3]int{7, 8, 8}, short: "饺子"},
	{phrase: phrase{"农家院", "Farmhouse Kitchen", "Деревенская кухня"}, w: [3]int{4, 2, 12}},
	{phrase: phrase{"火锅", "Hotpot", "Хого"}, w: [3]int{5, 7, 5}, extra: []phrase{{"重庆", "Chongqing", "Чунцин"}, {"老北京", "Old Beijing", "Старый Пекин"}}},
	{phrase: phrase{"包子铺", "Baozi", "Пирожковая"}, w: [3]int{5, 7, 7}, short: "包子"},
	{phrase: phrase{"咖啡馆", "Café", "Кофейня"}, w: [3]int{4, 3, 1}},
	{phrase: phrase{"面馆", "Noodles", "Лапшичная"}, w: [3]int{4, 6, 6}},
	{phrase: phrase{"重庆小面", "Chongqing Noodles", "Чунцинская лапша"}, w: [3]int{1, 3, 2}},
	{phrase: phrase{"兰州拉面", "Lanzhou Noodles", "Ланьчжоуская лапша"}, w: [3]int{2, 4, 3},
		extra: []phrase{{"马记", "Ma's", "У Ма"}, {"伊兰", "Yilan", "Илань"}, {"清真", "Halal", "Халяль"}}},
	{phrase: phrase{"驴肉火烧", "Donkey Burger", "Хошао с ослятиной"}, w: [3]int{4, 5, 6}, short: "火烧"},
	{phrase: phrase{"烤鱼", "Grilled Fish", "Жареная рыба"}, w: [3]int{3, 4, 3}},
	{phrase: phrase{"麻辣烫", "Malatang", "Малатан"}, w: [3]int{3, 6, 4}},
	{phrase: phrase{"家常菜", "Home Cooking", "Домашняя кухня"}, w: [3]int{4, 6, 8}},
}

var retailKinds = []kind{
	{phrase: phrase{"便利店", "Convenience Store", "Магазин у дома"}, w: [3]int{8, 10, 5}},
	{phrase: phrase{"超市", "Supermarket", "Супермаркет"}, w: [3]int{5, 6, 8}},
	{phrase: phrase{"小卖部", "Corner Shop", "Ларёк"}, w: [3]int{5, 3, 8}},
	{phrase: phrase{"海鲜干货店", "Dried Seafood Shop", "Сушёные морепродукты"}, w: [3]int{5, 2, 0}, short: "海鲜干货", seafood: true},
	{phrase: phrase{"水果店", "Fruit Shop", "Фрукты"}, w: [3]int{3, 4, 3}},
	{phrase: phrase{"粮油店", "Grain and Oil Shop", "Крупы и масло"}, w: [3]int{1, 2, 4}},
}

var onlineKinds = []kind{
	{phrase: phrase{"私房菜", "Private Kitchen", "Домашняя кухня"}, w: [3]int{3, 3, 3}},
	{phrase: phrase{"炸鸡", "Fried Chicken", "Жареная курица"}, w: [3]int{3, 4, 3}},
	{phrase: phrase{"轻食", "Salads and Bowls", "Лёгкая еда"}, w: [3]int{2, 3, 1}},
	{phrase: phrase{"盖浇饭", "Rice Bowls", "Рис с подливой"}, w: [3]int{3, 4, 3}},
	{phrase: phrase{"麻辣香锅", "Spicy Stir-fry Pot", "Острый котелок"}, w: [3]int{2, 3, 2}},
}

var workshopKinds = []kind{
	{phrase: phrase{"豆腐坊", "Tofu Workshop", "Тофу"}, w: [3]int{3, 3, 5}},
	{phrase: phrase{"馒头坊", "Steamed Bun Workshop", "Пампушки маньтоу"}, w: [3]int{3, 4, 5}},
	{phrase: phrase{"糕点坊", "Pastry Workshop", "Кондитерская"}, w: [3]int{2, 2, 2}},
	{phrase: phrase{"香油坊", "Sesame Oil Mill", "Кунжутное масло"}, w: [3]int{1, 1, 2}},
	{phrase: phrase{"粉条坊", "Vermicelli Workshop", "Лапша фэньтяо"}, w: [3]int{0, 1, 3}},
}

var vendorKinds = []kind{
	{phrase: phrase{"煎饼摊", "Jianbing Stall", "Блины цзяньбин"}, w: [3]int{4, 6, 5}, short: "煎饼"},
	{phrase: phrase{"烤鱿鱼", "Grilled Squid", "Жареные кальмары"}, w: [3]int{6, 2, 0}, seafood: true},
	{phrase: phrase{"糖葫芦", "Candied Haws", "Танхулу"}, w: [3]int{3, 2, 2}},
	{phrase: phrase{"烤红薯", "Roasted Sweet Potatoes", "Печёный батат"}, w: [3]int{1, 3, 3}},
	{phrase: phrase{"鸡蛋灌饼", "Egg Pancakes", "Лепёшки с яйцом"}, w: [3]int{2, 4, 3}},
	{phrase: phrase{"烤冷面", "Kaolengmian", "Жареная лапша"}, w: [3]int{2, 3, 2}},
}

// tradeChars make up company trade names (字号) of two characters, as most
// companies have: 鑫源, 宏达, 恒顺. About 1,800 pairs, so that company
// names rarely repeat even in a 100,000-shop city.
var tradeChars = []struct{ zh, py string }{
	{"鑫", "xin"}, {"源", "yuan"}, {"宏", "hong"}, {"达", "da"}, {"永", "yong"}, {"丰", "feng"},
	{"恒", "heng"}, {"顺", "shun"}, {"华", "hua"}, {"信", "xin"}, {"益", "yi"}, {"嘉", "jia"},
	{"禾", "he"}, {"润", "run"}, {"金", "jin"}, {"海", "hai"}, {"盛", "sheng"}, {"泰", "tai"},
	{"隆", "long"}, {"兴", "xing"}, {"福", "fu"}, {"瑞", "rui"}, {"祥", "xiang"}, {"安", "an"},
	{"康", "kang"}, {"明", "ming"}, {"德", "de"}, {"天", "tian"}, {"成", "cheng"}, {"联", "lian"},
	{"合", "he"}, {"通", "tong"}, {"远", "yuan"}, {"新", "xin"}, {"宇", "yu"}, {"昌", "chang"},
	{"凯", "kai"}, {"诚", "cheng"}, {"东", "dong"}, {"方", "fang"}, {"鼎", "ding"}, {"旺", "wang"},
}

// product is what a producer makes, with the three-digit food category of
// its 食品生产许可证 (SC) number.
type product struct {
	zh, en string
	sc     string
	// only, when set, limits the product to one district (its speciality).
	only    string
	coastal bool
}

var products = []product{
	{"食品有限公司", "Food Co., Ltd.", "101", "", false},
	{"食品厂", "Food Factory", "124", "", false},
	{"面粉厂", "Flour Mill", "101", "", false},
	{"饮料厂", "Beverage Factory", "106", "", false},
	{"海产品加工厂", "Seafood Processing Plant", "122", "", true},
	{"水产食品有限公司", "Aquatic Foods Co., Ltd.", "122", "", true},
	{"葡萄酒有限公司", "Winery", "115", "changli", false},
	{"粉丝厂", "Vermicelli Factory", "124", "lulong", false},
	{"板栗食品有限公司", "Chestnut Foods Co., Ltd.", "118", "qinglong", false},
}

// units are institutions whose staff canteens (单位食堂) the city licenses;
// %s is the district's short name. bank names carry the polyphonic 行.
var units = []struct {
	zh, en string
	code   string // the second character of its credit code: 1 government, 2 public institution, 1 (after 9) company
	reg    string // the first character: 1 government, 9 company
}{
	{"%s人民医院职工食堂", "%s People's Hospital Staff Canteen", "2", "1"},
	{"%s人民政府机关食堂", "%s Government Canteen", "1", "1"},
	{"中国银行秦皇岛%s支行食堂", "Bank of China %s Sub-branch Canteen", "1", "9"},
	{"中国工商银行秦皇岛%s支行食堂", "ICBC %s Sub-branch Canteen", "1", "9"},
	{"%s税务局食堂", "%s Tax Bureau Canteen", "1", "1"},
	{"%s公安分局食堂", "%s Police Canteen", "1", "1"},
	{"%s供电公司职工食堂", "%s Power Supply Staff Canteen", "1", "9"},
	{"%s中医院职工食堂", "%s TCM Hospital Staff Canteen", "2", "1"},
	{"%s养老院食堂", "%s Care Home Canteen", "2", "1"},
}

// companies are the trades of employers with a staff canteen; port
// companies only where the port is.
var companies = []struct {
	zh, en string
	port   bool
}{
	{"玻璃有限公司", "Glass Co.", false}, {"重工有限公司", "Heavy Industry Co.", false},
	{"港口装卸有限公司", "Port Handling Co.", true}, {"电子科技有限公司", "Electronics Co.", false},
	{"物流有限公司", "Logistics Co.", false}, {"建设集团有限公司", "Construction Group", false},
}

// Inspection findings (不符合项), as written in inspection records.
var (
	minorFindings = []string{
		"从业人员未穿戴工作衣帽", "垃圾桶未加盖", "后厨地面油污积水", "操作间有杂物堆放",
		"防蝇设施不完善", "冰箱内食品未标识", "清洗水池未分区使用", "未公示食品经营许可证",
		"进货查验记录不全", "餐饮具保洁柜不洁", "食品添加剂未专柜存放", "未公示量化分级等级",
	}
	seriousFindings = []string{
		"从业人员健康证明过期", "冷藏温度不达标", "防鼠设施缺失", "餐具消毒不到位",
		"生熟未分开存放", "使用超过保质期的食品原料", "后厨发现鼠迹",
	}
	canteenFindings  = []string{"食品留样不规范", "未落实食品安全管理员制度"}
	schoolFindings   = []string{"食品留样不规范", "未落实校长陪餐制度", "大宗食品采购索证不全"}
	producerFindings = []string{"出厂检验记录不全", "生产车间防护设施不完善", "原料仓库温湿度记录缺失"}
	seafoodFindings  = []string{"海产品进货来源凭证缺失", "活海鲜暂养池水质不洁"}
)
