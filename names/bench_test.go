package names

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"shian"
)

// shops100k builds n Chinese-only shops the way a registry has them: a
// proper name (one to three characters), trade words from the glossary,
// sometimes a branch, an address, and a finding on every other inspection.
func shops100k(n int, g *Glossary) []*shian.Shop {
	proper := []rune("老王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤海渔鑫福顺兴隆发祥瑞")
	var trade []string
	for _, e := range g.Entries() {
		if e.Kind != KindBrand {
			trade = append(trade, e.ZH)
		}
	}
	streets := []string{"河北大街", "迎宾路", "文化路", "保二路", "东经路", "联峰路", "南关大街", "东大街"}
	districts := []string{"海港区", "北戴河区", "山海关区", "抚宁区", "昌黎县"}
	items := []string{"从业人员健康证明过期", "冷藏温度不达标", "餐具消毒记录不全", "防鼠设施缺失", "食品留样不足", "门头招牌破损"}
	out := make([]*shian.Shop, n)
	for i := range out {
		name := string(proper[i%len(proper)]) + string(proper[(i/7)%len(proper)])
		if i%3 == 0 {
			name += string(proper[(i/13)%len(proper)])
		}
		name += trade[i%len(trade)]
		if i%5 == 0 {
			name += "（" + districts[i%len(districts)][:6] + "店）"
		}
		s := &shian.Shop{Name: name, Address: fmt.Sprintf("%s%s%d号", districts[i%len(districts)], streets[i%len(streets)], 1+i%300)}
		for j := range 5 {
			in := shian.Inspection{}
			if (i+j)%2 == 0 {
				in.ItemsFailed = []string{items[(i+j)%len(items)]}
			}
			s.Inspections = append(s.Inspections, in)
		}
		out[i] = s
	}
	return out
}

// BenchmarkFill100k writes visitor names, addresses and item codes for
// 100,000 Chinese-only shops with 5 inspections each (one op = all of them):
//
//	go test ./names -run '^$' -bench Fill100k -benchtime 3x
func BenchmarkFill100k(b *testing.B) {
	n := MustNew(b)
	shops := shops100k(100000, n.Glossary())
	cpu := cpuTime()
	for b.Loop() {
		for _, s := range shops {
			s.NameEN, s.NameRU = "", ""
			n.Fill(s)
		}
	}
	// The CPU time of the process, beside the wall time, because the
	// machine the figures were taken on is shared.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/100000, "µs/shop")
}

// BenchmarkVisitor is one name alone.
func BenchmarkVisitor(b *testing.B) {
	n := MustNew(b)
	for b.Loop() {
		n.Visitor("老二位海鲜大排档（保二路店）")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
