package shian

// Names holds a display name in the three languages the public pages speak.
type Names struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
	RU string `json:"ru"`
}

// In returns the name in lang (zh, en or ru), falling back to Chinese.
func (n Names) In(lang string) string {
	switch lang {
	case "en":
		if n.EN != "" {
			return n.EN
		}
	case "ru":
		if n.RU != "" {
			return n.RU
		}
	}
	return n.ZH
}

// Code is an entry of one of the code lists in docs/data-contract.md.
type Code struct {
	Code  string `json:"code"`
	Names Names  `json:"names"`
	// Zone marks a functional zone whose own office handles its complaints.
	Zone bool `json:"zone,omitempty"`
}

// Districts are the city's districts, counties and functional zones (docs/data-contract.md).
var Districts = []Code{
	{Code: "haigang", Names: Names{"海港区", "Haigang District", "район Хайган"}},
	{Code: "shanhaiguan", Names: Names{"山海关区", "Shanhaiguan District", "район Шаньхайгуань"}},
	{Code: "beidaihe", Names: Names{"北戴河区", "Beidaihe District", "район Бэйдайхэ"}},
	{Code: "funing", Names: Names{"抚宁区", "Funing District", "район Фунин"}},
	{Code: "qinglong", Names: Names{"青龙满族自治县", "Qinglong Manchu Autonomous County", "Цинлун-Маньчжурский автономный уезд"}},
	{Code: "changli", Names: Names{"昌黎县", "Changli County", "уезд Чанли"}},
	{Code: "lulong", Names: Names{"卢龙县", "Lulong County", "уезд Лулун"}},
	{Code: "bdhxinqu", Names: Names{"北戴河新区", "Beidaihe New Area", "Новый район Бэйдайхэ"}, Zone: true},
	{Code: "etdz", Names: Names{"秦皇岛经济技术开发区", "Qinhuangdao Economic and Technological Development Zone", "Циньхуандаоская зона экономического и технологического развития"}, Zone: true},
}

// ShopCategories are the kinds of food business (docs/data-contract.md).
var ShopCategories = []Code{
	{Code: "restaurant", Names: Names{"餐饮服务", "Restaurant", "Ресторан"}},
	{Code: "school_canteen", Names: Names{"学校食堂", "School canteen", "Школьная столовая"}},
	{Code: "canteen", Names: Names{"单位食堂", "Workplace canteen", "Столовая"}},
	{Code: "retail", Names: Names{"食品销售", "Food shop", "Продуктовый магазин"}},
	{Code: "online", Names: Names{"网络餐饮(仅外卖)", "Delivery only", "Только доставка"}},
	{Code: "producer", Names: Names{"食品生产", "Food producer", "Производитель продуктов"}},
	{Code: "workshop", Names: Names{"食品小作坊", "Small food workshop", "Пищевая мастерская"}},
	{Code: "street_vendor", Names: Names{"食品摊贩", "Street vendor", "Уличный торговец"}},
}

// LookupCode returns the entry of list with the given code.
func LookupCode(list []Code, code string) (Code, bool) {
	for _, c := range list {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// CodeList returns the codes of list, for error messages naming what is allowed.
func CodeList(list []Code) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}

// Shop statuses.
const (
	StatusOpen      = "open"
	StatusSuspended = "suspended"
	StatusClosed    = "closed"
)
