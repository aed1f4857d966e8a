package seed

// This file holds the geography of the demo city: districts with their
// administrative codes, real street names, the town centres where shops
// cluster, local name prefixes and schools.

// Kinds of district, which decide the mix of shops and visitor languages.
const (
	beach  = iota // tourist beach districts: seafood, English and Russian menus
	urban         // city centre and the development zone
	county        // rural counties: farmhouses, workshops, producers
)

// box is a rectangle of WGS-84 degrees around a district's town centre.
type box struct{ minLat, maxLat, minLng, maxLng float64 }

type school struct{ zh, en string }

type district struct {
	idx   int // position in districts
	code  string
	label string // as written in an address after 秦皇岛市
	short string // as used in the names of institutions
	en    string // as used in English names of institutions
	admin string // 6-digit administrative division code, part of licence numbers
	// weight is the share of shops (per mille), after population and tourism.
	weight  int
	class   int
	coastal bool
	// town is the built-up area around the real town centre; shops are placed
	// along the streets laid across it.
	town     box
	streets  []string
	prefixes []phrase // local name prefixes, used more often than the generic ones
	schools  []school // real or plausible schools, used before numbered ones
}

// districts follows shian.Districts in order. The town boxes lie inside
// the districts' areas and inside the approximate grid polygons of
// triage/data/grids.geojson (the Haigang box avoids the 开发区 zone).
var districts = []district{
	{
		code: "haigang", label: "海港区", short: "海港区", en: "Haigang District", admin: "130302",
		weight: 300, class: urban, coastal: true,
		town:    box{39.910, 39.955, 119.582, 119.640},
		streets: []string{"河北大街", "迎宾路", "文化路", "建设大街", "人民路", "燕山大街", "海滨路", "民族路", "和平大街", "友谊路"},
		prefixes: []phrase{
			{"港城", "Port City", "Портовый город"},
			{"燕山", "Yanshan", "Яньшань"},
			{"海韵", "Haiyun", "Хайюнь"},
		},
		schools: []school{
			{"秦皇岛市第一中学", "Qinhuangdao No. 1 Middle School"},
			{"燕山大学", "Yanshan University"},
			{"秦皇岛市第二中学", "Qinhuangdao No. 2 Middle School"},
			{"秦皇岛市实验中学", "Qinhuangdao Experimental Middle School"},
			{"秦皇岛市第三中学", "Qinhuangdao No. 3 Middle School"},
			{"海港区文化路小学", "Wenhua Road Primary School"},
			{"河北科技师范学院", "Hebei Normal University of Science and Technology"},
		},
	},
	{
		code: "shanhaiguan", label: "山海关区", short: "山海关区", en: "Shanhaiguan District", admin: "130303",
		weight: 90, class: beach, coastal: true,
		town:    box{39.980, 40.025, 119.720, 119.790},
		streets: []string{"南关大街", "东大街", "西大街", "北大街", "关城路", "一关路"},
		prefixes: []phrase{
			{"长城", "Great Wall", "Великая стена"},
			{"孟姜", "Mengjiang", "Мэнцзян"},
			{"老龙头", "Old Dragon Head", "Голова дракона"},
			{"古城", "Old Town", "Старый город"},
			{"天下第一关", "First Pass", "Первая застава"},
		},
		schools: []school{
			{"山海关区第一中学", "Shanhaiguan No. 1 Middle School"},
			{"山海关区南关小学", "Nanguan Primary School"},
		},
	},
	{
		code: "beidaihe", label: "北戴河区", short: "北戴河区", en: "Beidaihe District", admin: "130304",
		weight: 170, class: beach, coastal: true,
		town:    box{39.822, 39.860, 119.460, 119.520},
		streets: []string{"保二路", "东经路", "联峰路", "西经路", "海宁路", "草厂路", "刘庄路"},
		prefixes: []phrase{
			{"鸽子窝", "Pigeon Nest", "Голубиное гнездо"},
			{"碧螺", "Biluo", "Билоу"},
			{"金沙", "Golden Sands", "Золотой песок"},
			{"老虎石", "Tiger Rock", "Тигровая скала"},
			{"联峰", "Lianfeng", "Ляньфэн"},
			{"戴河", "Daihe", "Дайхэ"},
		},
		schools: []school{
			{"北戴河区实验小学", "Beidaihe Experimental Primary School"},
			{"北戴河区第一中学", "Beidaihe No. 1 Middle School"},
			{"河北环境工程学院", "Hebei University of Environmental Engineering"},
		},
	},
	{
		code: "funing", label: "抚宁区", short: "抚宁区", en: "Funing District", admin: "130306",
		weight: 80, class: county,
		town:    box{39.860, 39.900, 119.210, 119.270},
		streets: []string{"金山大街", "永安街"},
		prefixes: []phrase{
			{"金山", "Jinshan", "Цзиньшань"},
			{"天马", "Tianma", "Тяньма"},
		},
		schools: []school{{"抚宁区第一中学", "Funing No. 1 Middle School"}},
	},
	{
		code: "qinglong", label: "青龙满族自治县", short: "青龙满族自治县", en: "Qinglong County", admin: "130321",
		weight: 60, class: county,
		town:    box{40.380, 40.420, 118.920, 118.980},
		streets: []string{"燕山路", "青龙大街"},
		prefixes: []phrase{
			{"祖山", "Zushan", "Цзушань"},
			{"满族", "Manchu", "Маньчжурская"},
			{"青龙河", "Qinglong River", "Цинлунхэ"},
		},
		schools: []school{{"青龙满族自治县第一中学", "Qinglong No. 1 Middle School"}},
	},
	{
		code: "changli", label: "昌黎县", short: "昌黎县", en: "Changli County", admin: "130322",
		weight: 100, class: county, coastal: true,
		town:    box{39.690, 39.730, 119.130, 119.190},
		streets: []string{"碣阳大街", "民生街"},
		prefixes: []phrase{
			{"碣石", "Jieshi", "Цзеши"},
			{"黄金海岸", "Golden Coast", "Золотой берег"},
			{"葡萄沟", "Vineyard", "Виноградник"},
		},
		schools: []school{{"昌黎县第一中学", "Changli No. 1 Middle School"}},
	},
	{
		code: "lulong", label: "卢龙县", short: "卢龙县", en: "Lulong County", admin: "130324",
		weight: 60, class: county,
		town:    box{39.870, 39.910, 118.840, 118.900},
		streets: []string{"永平大街"},
		prefixes: []phrase{
			{"永平", "Yongping", "Юнпин"},
			{"孤竹", "Guzhu", "Гучжу"},
		},
		schools: []school{{"卢龙县中学", "Lulong Middle School"}},
	},
	{
		code: "bdhxinqu", label: "北戴河新区", short: "北戴河新区", en: "Beidaihe New Area", admin: "130372",
		weight: 60, class: beach, coastal: true,
		town:    box{39.620, 39.690, 119.270, 119.330},
		streets: []string{"滨海大道", "团林路"},
		prefixes: []phrase{
			{"黄金海岸", "Golden Coast", "Золотой берег"},
			{"渔岛", "Fish Island", "Рыбный остров"},
			{"金沙", "Golden Sands", "Золотой песок"},
		},
		schools: []school{{"北戴河新区团林小学", "Tuanlin Primary School"}},
	},
	{
		code: "etdz", label: "经济技术开发区", short: "开发区", en: "Development Zone", admin: "130371",
		weight: 80, class: urban, coastal: true,
		town:    box{39.935, 39.975, 119.510, 119.570},
		streets: []string{"龙海道", "秦皇西大街", "黄河道", "泰山路"},
		prefixes: []phrase{
			{"龙海", "Longhai", "Лунхай"},
			{"泰山", "Taishan", "Тайшань"},
		},
		schools: []school{{"东北大学秦皇岛分校", "Northeastern University at Qinhuangdao"}},
	},
}

func init() {
	for i := range districts {
		districts[i].idx = i
	}
}

func districtIndex(code string) int {
	for i := range districts {
		if districts[i].code == code {
			return i
		}
	}
	return -1
}
