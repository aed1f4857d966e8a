package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/bot/bottest"
	"shian/complaints"
	"shian/internal/testenv"
	"shian/ratelimit"
	"shian/triage"
)

// limitedEngine is the fixture's engine over a complaint intake that
// charges the complaint limits to l (as serve wires it).
func limitedEngine(t *testing.T, env *bottest.Env, l *ratelimit.Limiter) *bot.Engine {
	t.Helper()
	tri, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := complaints.New(complaints.Config{Store: env.DB, Triager: tri, Secret: []byte("0123456789abcdef0123456789abcdef"),
		PhotoDir: filepath.Join(t.TempDir(), "photos"), Limiter: l, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(bot.Config{Search: env.Search, Shops: env.DB, Complaints: cs, Store: env.DB, PublicURL: env.PublicURL, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func limiters(t *testing.T, fn func(t *testing.T, l *ratelimit.Limiter)) {
	t.Run("in-process", func(t *testing.T) {
		l, err := ratelimit.New(ratelimit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		fn(t, l)
	})
	t.Run("redis", func(t *testing.T) {
		l, err := ratelimit.New(ratelimit.Options{RedisURL: testenv.RedisURL(t), Prefix: testenv.KeyPrefix(t), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		fn(t, l)
		if !l.Shared() || l.Fallbacks() != 0 {
			t.Fatalf("decided without Redis: %d fallbacks", l.Fallbacks())
		}
	})
}

// complainOnce plays a whole complaint conversation as user and returns the
// last reply.
func complainOnce(t *testing.T, eng *bot.Engine, in bot.Input, conv int, phone string) string {
	t.Helper()
	var last string
	for i, text := range []string{"I want to complain about Lao Er Wei Seafood", "I found a hair in my soup", "yes", "yesterday",
		"John Smith", phone, "yes"} {
		in.Text, in.MsgID = text, fmt.Sprintf("c%d-m%d", conv, i)
		last = handle(t, eng, in)
		if in.Channel == bot.ChannelWeChat && strings.Contains(last, "You can send photos") {
			in.Text, in.MsgID = "none", fmt.Sprintf("c%d-m%d-photo", conv, i)
			last = handle(t, eng, in)
		}
	}
	return last
}

// TestChatFilesNoMoreThanTheAPI (issue 19, item 1): ten web chat
// conversations, each with a fresh session but one phone, file at most as
// many complaints as the API allows one phone (3 an hour); the rest are
// told to wait. The same for ten WeChat conversations of one OpenID with
// ten different phones (the OpenID's own limit).
func TestChatFilesNoMoreThanTheAPI(t *testing.T) {
	limiters(t, func(t *testing.T, l *ratelimit.Limiter) {
		env := bottest.New(t)
		eng := limitedEngine(t, env, l)
		filed := 0
		for i := range 10 {
			in := bot.Input{Channel: bot.ChannelWeb, User: fmt.Sprintf("fresh-session-%02d-%s", i, strings.Repeat("x", 8)), ClientIP: fmt.Sprintf("198.51.100.%d", i+1)}
			got := complainOnce(t, eng, in, i, "+7 916 123 45 67")
			switch {
			case strings.Contains(got, "Filed! Ticket"):
				filed++
			case !strings.Contains(got, "Too many complaints"):
				t.Fatalf("conversation %d: %s", i+1, got)
			}
		}
		if filed != 3 {
			t.Fatalf("one phone filed %d complaints through ten chat sessions, want 3", filed)
		}
		wx := 0
		for i := range 10 {
			in := bot.Input{Channel: bot.ChannelWeChat, User: "oOpenID-one-user"}
			got := complainOnce(t, eng, in, i, fmt.Sprintf("+7 916 123 45 %02d", 10+i))
			switch {
			case strings.Contains(got, "Filed! Ticket"):
				wx++
			case strings.Contains(got, "Too many complaints"):
				in.Text, in.MsgID = "cancel", fmt.Sprintf("c%d-cancel", i)
				handle(t, eng, in) // the refused draft waits for a later "yes"; drop it
			default:
				t.Fatalf("WeChat conversation %d: %s", i+1, got)
			}
		}
		if wx != 3 {
			t.Fatalf("one OpenID filed %d complaints with ten phones, want 3", wx)
		}
		list, err := env.Complaints.List(context.Background(), shian.ComplaintFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 6 {
			t.Fatalf("%d complaints stored, want 6", len(list))
		}
	})
}
