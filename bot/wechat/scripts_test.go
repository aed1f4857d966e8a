package wechat_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"shian/bot"
	"shian/bot/bottest"
	"shian/bot/redisstore"
	"shian/bot/wechat"
	"shian/internal/testenv"
)

// pushed writes a message as WeChat pushes it.
func pushed(user string, m bottest.Msg, msgID string, at time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>", user, at.Unix())
	switch {
	case m.Event != "":
		fmt.Fprintf(&b, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[qrscene_%s]]></EventKey>", m.Event, m.EventKey)
	case m.Loc != nil:
		fmt.Fprintf(&b, "<MsgType><![CDATA[location]]></MsgType><Location_X>%v</Location_X><Location_Y>%v</Location_Y><Scale>15</Scale><Label><![CDATA[x]]></Label><MsgId>%s</MsgId>", m.Loc.Lat, m.Loc.Lng, msgID)
	case m.Photo != nil:
		fmt.Fprintf(&b, "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/p]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>%s</MsgId>", msgID)
	default:
		b.WriteString("<MsgType><![CDATA[text]]></MsgType><Content>")
		_ = xml.EscapeText(&b, []byte(m.Text))
		fmt.Fprintf(&b, "</Content><MsgId>%s</MsgId>", msgID)
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// wxSender delivers scripted messages through the WeChat protocol handler
// (signature, optional AES, passive XML reply) to a real engine.
func wxSender(h *wechat.Handler, env *bottest.Env, safe bool) bottest.Sender {
	var seq atomic.Int64
	return func(tb testing.TB, user string, m bottest.Msg) string {
		tb.Helper()
		env.Clock.Advance(time.Second) // events are de-duplicated by user and time
		now := env.Clock.Now()
		n := seq.Add(1)
		ts, nonce := strconv.FormatInt(now.Unix(), 10), "n"+strconv.FormatInt(n, 10)
		body := pushed("o"+user, m, strconv.FormatInt(n, 10), now)
		q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wechat.Signature(vecToken, ts, nonce)}}
		if safe {
			key, _ := wechat.AESKey(vecAESKey)
			enc, err := wechat.Encrypt(key, vecAppID, body)
			if err != nil {
				tb.Fatal(err)
			}
			body = []byte("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", wechat.Signature(vecToken, ts, nonce, enc))
		}
		out, err := h.Serve(context.Background(), q, body)
		// A turn slower than the reply budget (a loaded machine, -race)
		// is answered "success"; WeChat then delivers the same message
		// again, up to three times, and the retry gets the answer.
		for retry := 0; err == nil && string(out) == "success" && retry < 3; retry++ {
			out, err = h.Serve(context.Background(), q, body)
		}
		if err != nil {
			tb.Fatalf("Serve(%q): %v", m.Text, err)
		}
		if string(out) == "success" {
			return ""
		}
		var r struct{ Content, Encrypt, MsgSignature, TimeStamp, Nonce, FromUserName string }
		if err := xml.Unmarshal(out, &r); err != nil {
			tb.Fatalf("reply %q: %v", out, err)
		}
		if safe {
			if r.MsgSignature != wechat.Signature(vecToken, r.TimeStamp, r.Nonce, r.Encrypt) {
				tb.Fatalf("reply signature does not verify: %s", out)
			}
			key, _ := wechat.AESKey(vecAESKey)
			plain, err := wechat.Decrypt(key, vecAppID, r.Encrypt)
			if err != nil {
				tb.Fatal(err)
			}
			if err := xml.Unmarshal(plain, &r); err != nil {
				tb.Fatal(err)
			}
		}
		if r.FromUserName != "gh_test" {
			tb.Fatalf("reply from %q", r.FromUserName)
		}
		return r.Content
	}
}

func wxHandler(t *testing.T, env *bottest.Env, store bot.Store, safe bool) *wechat.Handler {
	cfg := wechat.Config{Token: vecToken, Now: env.Clock.Now,
		FetchImage: func(context.Context, string) ([]byte, error) { return bottest.PNG(), nil }}
	if safe {
		cfg.EncodingAESKey, cfg.AppID = vecAESKey, vecAppID
	}
	h, err := wechat.New(cfg, env.Engine(t, store))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestScriptsOverWeChat plays every scripted conversation (the context
// ones of issue #15 included) over the WeChat protocol, in plaintext and
// in safe (AES) mode, with the SQL and the Redis state stores.
func TestScriptsOverWeChat(t *testing.T) {
	for _, safe := range []bool{false, true} {
		mode := map[bool]string{false: "plaintext", true: "aes"}[safe]
		t.Run(mode+"/sql", func(t *testing.T) {
			env := bottest.New(t)
			env.Run(t, bot.ChannelWeChat, true, wxSender(wxHandler(t, env, env.DB, safe), env, safe))
		})
		t.Run(mode+"/redis", func(t *testing.T) {
			env := bottest.New(t)
			store := redisstore.New(testenv.NewRedisClient(t), testenv.KeyPrefix(t))
			env.Run(t, bot.ChannelWeChat, true, wxSender(wxHandler(t, env, store, safe), env, safe))
		})
	}
}

// TestPassiveReplyBudget: a turn slower than WeChat's 5 seconds gets an
// empty "success" within the budget (WeChat then retries; the retry is
// answered from the engine's de-duplication).
func TestPassiveReplyBudget(t *testing.T) {
	now := time.Unix(1784080800, 0)
	release := make(chan struct{})
	defer close(release)
	slow := botFunc(func(ctx context.Context, in bot.Input) ([]bot.Reply, error) {
		<-release
		return []bot.Reply{{Text: "late"}}, nil
	})
	h, err := wechat.New(wechat.Config{Token: vecToken, Now: func() time.Time { return now }}, slow)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"timestamp": {vecTS}, "nonce": {vecNonce}, "signature": {vecSig}}
	start := time.Now()
	out, err := h.Serve(context.Background(), q, []byte(vecPlain))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second || string(out) != "success" {
		t.Fatalf("answered %q after %v, want success within 5 s", out, d)
	}
}
