// Package gen writes deterministic, valid shop registries in the JSON Lines
// import format, for import benchmarks and load tests.
package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"shian"
)

var (
	kinds   = []string{"海鲜大排档", "烧烤", "饺子馆", "农家院", "火锅", "包子铺", "渔家乐", "咖啡馆", "面馆", "超市"}
	streets = []string{"河北大街", "迎宾路", "文化路", "保二路", "东经路", "联峰路", "南关大街", "东大街"}
	items   = []string{"从业人员健康证明过期", "冷藏温度不达标", "餐具消毒记录不全", "防鼠设施缺失", "食品留样不足"}
)

// Options shape the generated file.
type Options struct {
	Shops       int
	Inspections int // per shop
	Seed        uint64
	Now         time.Time // inspections are dated in the three years before Now
}

type inspection struct {
	Date        string   `json:"date"`
	Score       int      `json:"score"`
	ItemsFailed []string `json:"items_failed,omitempty"`
	Inspector   string   `json:"inspector"`
}

type shop struct {
	Licence     string       `json:"licence"`
	Name        string       `json:"name"`
	NameEN      string       `json:"name_en,omitempty"`
	Category    string       `json:"category"`
	Address     string       `json:"address"`
	District    string       `json:"district"`
	Lat         float64      `json:"lat"`
	Lng         float64      `json:"lng"`
	Phone       string       `json:"phone"`
	Status      string       `json:"status"`
	LicensedOn  string       `json:"licensed_on"`
	Inspections []inspection `json:"inspections"`
}

// WriteJSONL writes o.Shops lines to w. The same options write the same bytes.
func WriteJSONL(w io.Writer, o Options) error {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	today := time.Date(o.Now.Year(), o.Now.Month(), o.Now.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < o.Shops; i++ {
		d := shian.Districts[rng.IntN(len(shian.Districts))]
		kind := kinds[rng.IntN(len(kinds))]
		s := shop{
			Licence:    fmt.Sprintf("JY1%013d", 1303000000000+i),
			Name:       fmt.Sprintf("%s%s第%d号", d.Names.ZH[:6], kind, i),
			Category:   shian.ShopCategories[rng.IntN(4)].Code,
			Address:    fmt.Sprintf("%s%s%d号", d.Names.ZH, streets[rng.IntN(len(streets))], 1+rng.IntN(300)),
			District:   d.Code,
			Lat:        39.8 + rng.Float64()*0.4,
			Lng:        119.0 + rng.Float64()*0.8,
			Phone:      fmt.Sprintf("0335-%07d", rng.IntN(10000000)),
			Status:     shian.StatusOpen,
			LicensedOn: today.AddDate(-4, 0, -rng.IntN(2000)).Format(shian.DateLayout),
		}
		if rng.IntN(4) == 0 {
			s.NameEN = fmt.Sprintf("%s No. %d", d.Names.EN, i)
		}
		if rng.IntN(50) == 0 {
			s.Status = shian.StatusSuspended
		}
		for j := 0; j < o.Inspections; j++ {
			in := inspection{
				Date:      today.AddDate(0, 0, -1-rng.IntN(3*365)).Format(shian.DateLayout),
				Score:     55 + rng.IntN(46),
				Inspector: fmt.Sprintf("监督员%03d", rng.IntN(200)),
			}
			if in.Score < 75 {
				in.ItemsFailed = []string{items[rng.IntN(len(items))]}
			}
			s.Inspections = append(s.Inspections, in)
		}
		if err := enc.Encode(&s); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}
