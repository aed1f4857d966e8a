package bot_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/bot/bottest"
	"shian/internal/testenv"
	"shian/search"
)

// turnMix is what each benchmark conversation says, over and over: lookups,
// near me, an ambiguous name and a pick, a complaint started and cancelled.
// plainMix is the mix before conversation context (the anchor the
// context mix is compared with in the same run).
var plainMix = []bot.Input{
	{Text: "老二位海鲜怎么样？"},
	{Text: "附近有什么A级饭店"},
	{Location: &bottest.NearPoint},
	{Text: "海鲜大排档"},
	{Text: "1"},
	{Text: "我要投诉"},
	{Text: "老二位海鲜"},
	{Text: "饭菜里有一根头发，服务员还不理人"},
	{Text: "是"},
	{Text: "取消"},
}

// The context turns (这家, 第二个, a follow-up question, "my complaint",
// a recommendation) read and write the conversation's context.
var turnMix = []bot.Input{
	{Text: "老二位海鲜怎么样？"},
	{Text: "这家什么时候检查的？"},
	{Text: "附近有什么A级饭店"},
	{Location: &bottest.NearPoint},
	{Text: "海鲜大排档"},
	{Text: "第二个"},
	{Text: "我要投诉这家"},
	{Text: "饭菜里有一根头发，服务员还不理人"},
	{Text: "是"},
	{Text: "有没有投诉？"},
	{Text: "取消"},
	{Text: "北戴河哪家海鲜店卫生好"},
	{Text: "我的投诉进度怎么样了"},
	{Text: "取消"},
}

// BenchmarkTurn measures one bot turn (engine + state + search on the
// store-backed search over a 2,000-shop city) with 1,000 conversations
// open at once, on each state store, with a given number of turns in
// flight. It reports p50 and p99 latency per turn.
func BenchmarkTurn(b *testing.B) {
	env := bottest.NewSized(b, 2000)
	// The production search path: Meilisearch (store fallback behind it).
	url, key := testenv.MeiliURL(b)
	ix := search.NewIndex(url, key, testenv.UniqueName(b))
	ctx := context.Background()
	if err := ix.Ensure(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ix.DeleteIndex(context.Background(), ix.UID()); ix.Close() })
	all, err := env.DB.ListShops(ctx, shian.ShopFilter{Limit: 5000})
	if err != nil {
		b.Fatal(err)
	}
	full := make([]*shian.Shop, len(all))
	for i, s := range all {
		if full[i], err = env.DB.ShopByID(ctx, s.ID); err != nil {
			b.Fatal(err)
		}
	}
	if err := ix.Put(ctx, full); err != nil {
		b.Fatal(err)
	}
	meili := search.NewService(search.Config{Index: ix, Store: env.DB, Now: env.Clock.Now})
	for _, st := range []struct {
		name   string
		store  func() bot.Store
		search bot.Searcher
	}{
		{"meili+sql", func() bot.Store { return env.DB }, meili},
		{"meili+redis", func() bot.Store { return newRedisStore(b) }, meili},
		{"storesearch+sql", func() bot.Store { return env.DB }, env.Search},
	} {
		for _, mix := range []struct {
			name  string
			turns []bot.Input
		}{{"plain", plainMix}, {"context", turnMix}} {
			for _, inflight := range []int{8, 64, 1000} {
				b.Run(fmt.Sprintf("%s/mix=%s/conversations=1000/inflight=%d", st.name, mix.name, inflight), func(b *testing.B) {
					eng, err := bot.New(bot.Config{Search: st.search, Shops: env.DB, Complaints: env.Complaints, Store: st.store(),
						Stickers: env, PublicURL: env.PublicURL, Now: env.Clock.Now})
					if err != nil {
						b.Fatal(err)
					}
					const conversations = 1000
					var next atomic.Int64
					lat := make([]time.Duration, b.N)
					var step [conversations]atomic.Int64
					b.ResetTimer()
					var wg sync.WaitGroup
					for w := 0; w < inflight; w++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for {
								i := next.Add(1) - 1
								if i >= int64(b.N) {
									return
								}
								c := int(i % conversations)
								in := mix.turns[int(step[c].Add(1)-1)%len(mix.turns)]
								in.Channel, in.User = bot.ChannelWeb, fmt.Sprintf("bench-%04d", c)
								start := time.Now()
								if _, err := eng.Handle(context.Background(), in); err != nil {
									b.Error(err)
									return
								}
								lat[i] = time.Since(start)
							}
						}()
					}
					wg.Wait()
					b.StopTimer()
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		}
	}
}
