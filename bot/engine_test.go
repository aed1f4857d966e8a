package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/bot/bottest"
	"shian/bot/redisstore"
	"shian/internal/testenv"
)

// sender plays scripted messages through the engine directly.
func sender(eng *bot.Engine, channel string) bottest.Sender {
	n := 0
	var mu sync.Mutex
	return func(tb testing.TB, user string, m bottest.Msg) string {
		tb.Helper()
		mu.Lock()
		n++
		id := m.MsgID
		if id == "" {
			id = fmt.Sprintf("m%d", n)
		}
		mu.Unlock()
		in := bot.Input{Channel: channel, User: user, MsgID: id, Text: m.Text, Location: m.Loc, Photo: m.Photo, Event: m.Event, EventKey: m.EventKey}
		out, err := eng.Handle(context.Background(), in)
		if err != nil {
			tb.Fatalf("Handle(%q): %v", m.Text, err)
		}
		return bot.Plain(out)
	}
}

func TestScriptsSQLStore(t *testing.T) {
	env := bottest.New(t)
	eng := env.Engine(t, env.DB)
	t.Run("web", func(t *testing.T) { env.Run(t, bot.ChannelWeb, false, sender(eng, bot.ChannelWeb)) })
	t.Run("wechat", func(t *testing.T) { env.Run(t, bot.ChannelWeChat, true, sender(eng, bot.ChannelWeChat)) })
}

func newRedisStore(t testing.TB) *redisstore.Store {
	return redisstore.New(testenv.NewRedisClient(t), testenv.KeyPrefix(t))
}

func TestScriptsRedisStore(t *testing.T) {
	env := bottest.New(t)
	eng := env.Engine(t, newRedisStore(t))
	env.Run(t, bot.ChannelWeChat, true, sender(eng, bot.ChannelWeChat))
}

// stores runs fn against both state stores.
func stores(t *testing.T, fn func(t *testing.T, env *bottest.Env, store bot.Store)) {
	t.Run("sql", func(t *testing.T) {
		env := bottest.New(t)
		fn(t, env, env.DB)
	})
	t.Run("redis", func(t *testing.T) {
		env := bottest.New(t)
		fn(t, env, newRedisStore(t))
	})
}

func handle(t *testing.T, eng *bot.Engine, in bot.Input) string {
	t.Helper()
	out, err := eng.Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle(%q): %v", in.Text, err)
	}
	return bot.Plain(out)
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply lacks %q:\n%s", w, got)
		}
	}
}

// countBot counts the complaints filed through the bot.
func countBot(t *testing.T, env *bottest.Env) int {
	t.Helper()
	var n int
	if err := env.DB.DB.QueryRow(`SELECT COUNT(*) FROM complaints WHERE channel = 'bot'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDuplicateDeliveryAnsweredOnce(t *testing.T) {
	stores(t, func(t *testing.T, env *bottest.Env, store bot.Store) {
		eng := env.Engine(t, store)
		msg := func(id, text string) bot.Input {
			return bot.Input{Channel: bot.ChannelWeChat, User: "oUser-dup", MsgID: id, Text: text}
		}
		steps := []struct{ id, text, want string }{
			{"1", "我要投诉“老二位海鲜”，菜里有头发，太恶心了", "对吗"},
			{"2", "是", "什么时候"},
			{"3", "昨天", "照片"},
			{"4", "没有", "怎么称呼"},
			{"5", "赵六", "手机号"},
			{"6", "13800005678", "请确认"},
		}
		for _, s := range steps {
			first := handle(t, eng, msg(s.id, s.text))
			mustContain(t, first, s.want)
			// WeChat retries: the same MsgId gets the same answer and changes nothing.
			for range 2 {
				if again := handle(t, eng, msg(s.id, s.text)); again != first {
					t.Fatalf("retry of %s answered differently:\n%s\n---\n%s", s.id, first, again)
				}
			}
		}
		filed := handle(t, eng, msg("7", "确认"))
		mustContain(t, filed, "已提交")
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if again := handle(t, eng, msg("7", "确认")); again != filed {
					t.Errorf("retried confirmation answered %q, want %q", again, filed)
				}
			}()
		}
		wg.Wait()
		if n := countBot(t, env); n != 1 {
			t.Fatalf("%d complaints filed, want 1", n)
		}
	})
}

// TestRestartMidComplaintLosesNothing: a new engine (a restarted serve)
// over the same store carries on the conversation.
func TestRestartMidComplaintLosesNothing(t *testing.T) {
	stores(t, func(t *testing.T, env *bottest.Env, store bot.Store) {
		in := func(text string) bot.Input {
			return bot.Input{Channel: bot.ChannelWeb, User: "restart-session-0001", Text: text}
		}
		mustContain(t, handle(t, env.Engine(t, store), in("我要投诉，昨天在老二位海鲜吃坏肚子了")), "对吗")
		mustContain(t, handle(t, env.Engine(t, store), in("是")), "怎么称呼")
		mustContain(t, handle(t, env.Engine(t, store), in("钱七")), "手机号")
		mustContain(t, handle(t, env.Engine(t, store), in("13611112222")), "请确认", "老二位海鲜", "疑似食物中毒")
		mustContain(t, handle(t, env.Engine(t, store), in("确认")), "已提交")
	})
}

func TestIdleExpiry(t *testing.T) {
	stores(t, func(t *testing.T, env *bottest.Env, store bot.Store) {
		eng := env.Engine(t, store)
		in := func(text string) bot.Input {
			return bot.Input{Channel: bot.ChannelWeb, User: "idle-session-00001", Text: text}
		}
		mustContain(t, handle(t, eng, in("Хочу пожаловаться")), "Какое заведение")
		env.Clock.Advance(29 * time.Minute)
		mustContain(t, handle(t, eng, in("Морепродукты Лао Эр Вэй")), "Что случилось")
		env.Clock.Advance(31 * time.Minute)
		got := handle(t, eng, in("Меня вырвало после ужина"))
		if strings.Contains(got, "Верно?") {
			t.Fatalf("the conversation survived 31 idle minutes:\n%s", got)
		}
		// Illness words alone start a new complaint (package reading).
		mustContain(t, got, "Какое заведение")
		handle(t, eng, in("отмена"))
		// The language is kept even after the conversation expired.
		mustContain(t, handle(t, eng, in("hi")), "Qinhuangdao Food Safety")
	})
}

func TestRateLimitHook(t *testing.T) {
	env := bottest.New(t)
	allowed := 3
	var mu sync.Mutex
	eng, err := bot.New(bot.Config{Search: env.Search, Shops: env.DB, Complaints: env.Complaints, Store: env.DB, Now: env.Clock.Now,
		Allow: func(ctx context.Context, channel, user string) bool {
			mu.Lock()
			defer mu.Unlock()
			allowed--
			return allowed >= 0
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		got := handle(t, eng, bot.Input{Channel: bot.ChannelWeb, User: "limited-session-01", Text: "老二位海鲜"})
		if limited := strings.Contains(got, "消息太频繁"); limited != (i == 3) {
			t.Fatalf("message %d: limited=%v:\n%s", i, limited, got)
		}
	}
}

func TestInputValidation(t *testing.T) {
	env := bottest.New(t)
	eng := env.Engine(t, env.DB)
	for _, tc := range []struct {
		name string
		in   bot.Input
	}{
		{"no user", bot.Input{Channel: bot.ChannelWeb, Text: "hi"}},
		{"long user", bot.Input{Channel: bot.ChannelWeb, User: strings.Repeat("u", 129), Text: "hi"}},
		{"bad channel", bot.Input{Channel: "fax", User: "u", Text: "hi"}},
		{"long msg id", bot.Input{Channel: bot.ChannelWeb, User: "u", MsgID: strings.Repeat("1", 65), Text: "hi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eng.Handle(context.Background(), tc.in)
			if shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
	// Control characters and invalid UTF-8 are cleaned, long text cut.
	got := handle(t, eng, bot.Input{Channel: bot.ChannelWeb, User: "u", Text: "老二位\x00海鲜\xff" + strings.Repeat("啊", 5000)})
	if got == "" {
		t.Fatal("no reply")
	}
}

func TestUnderstand(t *testing.T) {
	for _, tc := range []struct {
		text, intent, lang string
	}{
		{"老二位海鲜怎么样？", "lookup", "zh"},
		{"附近有什么A级饭店", "near", "zh"},
		{"我要投诉，昨天在xx吃坏肚子了", "complaint", "zh"},
		{"查询 QHD-7K3M-9XQ2", "track", "zh"},
		{"I want to report a restaurant", "complaint", "en"},
		{"restaurants near me", "near", "en"},
		{"что рядом?", "near", "ru"},
		{"отмена", "cancel", "ru"},
		{"English", "lang", "en"},
		{"JY21303040000317", "licence", "en"},
		{"http://127.0.0.1:8080/S/AEAAAAAAAAAAAAAAAAAA", "sticker", "en"},
		{"", "help", ""},
		{"？？？", "help", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			u := bot.Understand(tc.text)
			if u.Intent != tc.intent || u.Lang != tc.lang {
				t.Fatalf("Understand(%q) = %+v, want intent %s lang %s", tc.text, u, tc.intent, tc.lang)
			}
		})
	}
}

func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"老二位海鲜怎么样？", "附近有什么A级饭店", "我要投诉，昨天在xx吃坏肚子了", "查询 QHD-7K3M-9XQ2",
		"http://X/S/AEAAAAAAAAAAAAAAAAAA", "第二个", "7月10日", "3 days ago", "позавчера", "\xff\x00", "«»“”"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := bot.Understand(s)
		if !slices.Contains([]string{"help", "cancel", "lang", "track", "complaint", "near", "sticker", "licence", "lookup", "about", "recommend", "rate"}, u.Intent) {
			t.Fatalf("Understand(%q): intent %q", s, u.Intent)
		}
		if u.Ticket != "" {
			if _, ok := shian.ParseTicket(u.Ticket); !ok {
				t.Fatalf("bad ticket %q", u.Ticket)
			}
		}
		if u.Licence != "" && !shian.ValidLicence(u.Licence) {
			t.Fatalf("bad licence %q", u.Licence)
		}
	})
}

// TestStartWithShop: the chat opened from a shop's page ("Ask the city")
// has the shop in context: "complain about this one" needs no retyping,
// and the complaint is filed against that licence.
func TestStartWithShop(t *testing.T) {
	stores(t, func(t *testing.T, env *bottest.Env, store bot.Store) {
		eng := env.Engine(t, store)
		gwd := env.ShopNamed(t, "长城饺子馆")
		const user = "page-session-0001"
		out, err := eng.StartWithShop(context.Background(), bot.ChannelWeb, user, gwd.Licence)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 || len(out[0].Cards) != 1 || out[0].Cards[0].Licence != gwd.Licence {
			t.Fatalf("start replies %+v", out)
		}
		in := func(text string) bot.Input { return bot.Input{Channel: bot.ChannelWeb, User: user, Text: text} }
		mustContain(t, handle(t, eng, in("什么时候检查的？")), "长城饺子馆 最近一次检查")
		mustContain(t, handle(t, eng, in("我要投诉")), "商户：长城饺子馆", "发生了什么")
		mustContain(t, handle(t, eng, in("饺子馅是酸的，好像变质了，吃了两个就吐了")), "对吗")
		handle(t, eng, in("是"))
		handle(t, eng, in("今天"))
		handle(t, eng, in("王五"))
		mustContain(t, handle(t, eng, in("13700001234")), "请确认", "类型：投诉")
		got := handle(t, eng, in("确认"))
		mustContain(t, got, "已提交")
		var licence, category string
		if err := env.DB.DB.QueryRow(`SELECT licence, submitted_category FROM complaints WHERE channel = 'bot'`).Scan(&licence, &category); err != nil {
			t.Fatal(err)
		}
		if licence != gwd.Licence || category != "foodborne_illness" {
			t.Fatalf("filed against %s as %s", licence, category)
		}
		// An unknown licence is answered as a plain start.
		if _, err := eng.StartWithShop(context.Background(), bot.ChannelWeb, "page-session-0002", "JY00000000000000"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCardActions: every shop card carries "Complain about this shop" and
// "Details"; a numbered card's pick button says what it does, not "1".
func TestCardActions(t *testing.T) {
	env := bottest.New(t)
	eng := env.Engine(t, env.DB)
	for _, tc := range []struct{ text, complain, details, pick string }{
		{"海鲜大排档", "投诉这家店", "详情", "选这家"},
		{"Lao Er Wei Seafood", "Complain about this shop", "Details", ""},
		{"Морепродукты Лао Эр Вэй", "Пожаловаться на это заведение", "Подробнее", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			out, err := eng.Handle(context.Background(), bot.Input{Channel: bot.ChannelWeb, User: "cards-" + tc.text, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range out {
				for _, c := range r.Cards {
					n++
					labels := map[string]bot.Action{}
					for _, a := range c.Actions {
						labels[a.Label] = a
						if a.Label == itoa(c.N) {
							t.Fatalf("card %s has a bare number button %q", c.Name, a.Label)
						}
					}
					if a, ok := labels[tc.complain]; !ok || !strings.Contains(a.Text, c.Licence) {
						t.Fatalf("card %s lacks %q: %+v", c.Name, tc.complain, c.Actions)
					}
					if a, ok := labels[tc.details]; !ok || a.URL != c.URL {
						t.Fatalf("card %s lacks %q: %+v", c.Name, tc.details, c.Actions)
					}
					if c.N > 0 {
						if a, ok := labels[tc.pick]; !ok || a.Text != itoa(c.N) {
							t.Fatalf("numbered card %s lacks %q: %+v", c.Name, tc.pick, c.Actions)
						}
					}
				}
			}
			if n == 0 {
				t.Fatal("no cards")
			}
			// The complain button's text starts a complaint about that shop.
			c := out[0].Cards
			if len(c) == 0 {
				c = out[len(out)-1].Cards
			}
			var complain string
			for _, a := range c[0].Actions {
				if a.Label == tc.complain {
					complain = a.Text
				}
			}
			got := handle(t, eng, bot.Input{Channel: bot.ChannelWeb, User: "cards-" + tc.text, Text: complain})
			mustContain(t, got, c[0].Licence[:0])
			if !strings.Contains(got, "老二位海鲜") && !strings.Contains(got, "大排档") {
				t.Fatalf("complain button did not take the shop:\n%s", got)
			}
		})
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
