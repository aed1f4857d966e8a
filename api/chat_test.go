package api_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shian/api"
	"shian/bot"
	"shian/bot/bottest"
	"shian/bot/wechat"
)

const (
	wxToken  = "wx-test-token"
	wxAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	wxAppID  = "wx1234567890abcdef"
)

// chatServer is the API with the web chat and WeChat in the given mode.
func chatServer(t *testing.T, safe bool, photos *httptest.Server) (*api.Server, *bottest.Env) {
	t.Helper()
	env := bottest.New(t)
	eng := env.Engine(t, env.DB)
	cfg := wechat.Config{Token: wxToken, Now: env.Clock.Now}
	if safe {
		cfg.EncodingAESKey, cfg.AppID = wxAESKey, wxAppID
	}
	if photos != nil {
		cfg.ImageHosts = []string{"127.0.0.1"}
	}
	wx, err := wechat.New(cfg, eng)
	if err != nil {
		t.Fatal(err)
	}
	return api.New(api.Config{Store: env.DB, Chat: eng, WeChat: wx, Now: env.Clock.Now}), env
}

func chatDo(t testing.TB, srv *api.Server, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := srv.App.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var msgSeq atomic.Int64

func webSender(srv *api.Server) bottest.Sender {
	return func(tb testing.TB, user string, m bottest.Msg) string {
		tb.Helper()
		body := map[string]any{"session": "s-" + strings.ReplaceAll(user, "-", "_"), "text": m.Text}
		if m.Loc != nil {
			body["location"] = map[string]float64{"lat": m.Loc.Lat, "lng": m.Loc.Lng}
		}
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/chat", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		status, out := chatDo(tb, srv, req)
		if status != 200 {
			tb.Fatalf("POST /api/v1/chat %s: %d %s", raw, status, out)
		}
		var r struct{ Replies []bot.Reply }
		if err := json.Unmarshal(out, &r); err != nil {
			tb.Fatal(err)
		}
		return bot.Plain(r.Replies)
	}
}

// Independent implementation of the protocol for the tests: SHA1 over the
// sorted parts, AES-256-CBC with IV = key[:16], PKCS#7 to 32 bytes.
func sig(parts ...string) string {
	sort.Strings(parts)
	s := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(s[:])
}

func testKey() []byte {
	k, _ := base64.StdEncoding.DecodeString(wxAESKey + "=")
	return k
}

func seal(msg []byte) string {
	key := testKey()
	buf := append([]byte("RANDOM0123456789"), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(buf[16:], uint32(len(msg)))
	buf = append(append(buf, msg...), wxAppID...)
	pad := 32 - len(buf)%32
	buf = append(buf, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

func open(t testing.TB, b64 string) []byte {
	key := testKey()
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(ct, ct)
	ct = ct[:len(ct)-int(ct[len(ct)-1])]
	n := binary.BigEndian.Uint32(ct[16:20])
	if string(ct[20+n:]) != wxAppID {
		t.Fatalf("reply sealed for %q", ct[20+n:])
	}
	return ct[20 : 20+n]
}

type wxReply struct {
	ToUserName, FromUserName, MsgType, Content string
	Encrypt, MsgSignature, TimeStamp, Nonce    string
}

func wxMessage(user string, m bottest.Msg, msgID string, now time.Time, photoURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>", user, now.Unix())
	switch {
	case m.Event != "":
		fmt.Fprintf(&b, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[qrscene_%s]]></EventKey>", m.Event, m.EventKey)
	case m.Loc != nil:
		fmt.Fprintf(&b, "<MsgType><![CDATA[location]]></MsgType><Location_X>%v</Location_X><Location_Y>%v</Location_Y><Scale>15</Scale><Label><![CDATA[x]]></Label><MsgId>%s</MsgId>", m.Loc.Lat, m.Loc.Lng, msgID)
	case m.Photo != nil:
		fmt.Fprintf(&b, "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[%s]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>%s</MsgId>", photoURL, msgID)
	default:
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(m.Text))
		fmt.Fprintf(&b, "<MsgType><![CDATA[text]]></MsgType><Content>%s</Content><MsgId>%s</MsgId>", esc.String(), msgID)
	}
	b.WriteString("</xml>")
	return b.String()
}

// postWeChat delivers one pushed message and returns the reply's content
// ("" for "success").
func postWeChat(t testing.TB, srv *api.Server, safe bool, now time.Time, body string) (int, string) {
	t.Helper()
	ts, nonce := strconv.FormatInt(now.Unix(), 10), "n"+strconv.FormatInt(msgSeq.Add(1), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {sig(wxToken, ts, nonce)}, "openid": {"o"}}
	if safe {
		enc := seal([]byte(body))
		body = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", sig(wxToken, ts, nonce, enc))
	}
	req := httptest.NewRequest(http.MethodPost, "/bot/wechat?"+q.Encode(), strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	status, out := chatDo(t, srv, req)
	if status != 200 || string(out) == "success" {
		return status, ""
	}
	var r wxReply
	if err := xml.Unmarshal(out, &r); err != nil {
		t.Fatalf("reply %q: %v", out, err)
	}
	if safe {
		if r.MsgSignature != sig(wxToken, r.TimeStamp, r.Nonce, r.Encrypt) || r.Nonce != nonce {
			t.Fatalf("reply signature does not verify: %s", out)
		}
		if err := xml.Unmarshal(open(t, r.Encrypt), &r); err != nil {
			t.Fatal(err)
		}
	}
	if r.MsgType != "text" || r.FromUserName != "gh_test" {
		t.Fatalf("reply %+v", r)
	}
	return status, r.Content
}

func wechatSender(srv *api.Server, env *bottest.Env, safe bool, photoURL string) bottest.Sender {
	return func(tb testing.TB, user string, m bottest.Msg) string {
		tb.Helper()
		id := strconv.FormatInt(msgSeq.Add(1), 10)
		env.Clock.Advance(time.Second) // events are de-duplicated by user and time
		status, content := postWeChat(tb, srv, safe, env.Clock.Now(), wxMessage("o"+user, m, id, env.Clock.Now(), photoURL))
		if status != 200 {
			tb.Fatalf("POST /bot/wechat: %d", status)
		}
		return content
	}
}

func photoServer(t *testing.T) *httptest.Server {
	png := bottest.PNG()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestChatScriptsOverHTTP(t *testing.T) {
	t.Run("web", func(t *testing.T) {
		srv, env := chatServer(t, false, nil)
		env.Run(t, "web", false, webSender(srv))
	})
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprintf("wechat_safe_%v", safe), func(t *testing.T) {
			photos := photoServer(t)
			srv, env := chatServer(t, safe, photos)
			env.Run(t, "wx", true, wechatSender(srv, env, safe, photos.URL+"/pic.png"))
		})
	}
}

func TestWeChatProtocol(t *testing.T) {
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprintf("safe_%v", safe), func(t *testing.T) {
			srv, env := chatServer(t, safe, nil)
			now := env.Clock.Now()
			ts := strconv.FormatInt(now.Unix(), 10)

			t.Run("URL verification", func(t *testing.T) {
				q := url.Values{"timestamp": {ts}, "nonce": {"abc"}, "signature": {sig(wxToken, ts, "abc")}, "echostr": {"echo-42"}}
				status, body := chatDo(t, srv, httptest.NewRequest(http.MethodGet, "/bot/wechat?"+q.Encode(), nil))
				if status != 200 || string(body) != "echo-42" {
					t.Fatalf("%d %q", status, body)
				}
				q.Set("signature", sig(wxToken+"x", ts, "abc"))
				if status, _ := chatDo(t, srv, httptest.NewRequest(http.MethodGet, "/bot/wechat?"+q.Encode(), nil)); status != 401 {
					t.Fatalf("bad signature: %d", status)
				}
				old := strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)
				q = url.Values{"timestamp": {old}, "nonce": {"abc"}, "signature": {sig(wxToken, old, "abc")}, "echostr": {"e"}}
				if status, _ := chatDo(t, srv, httptest.NewRequest(http.MethodGet, "/bot/wechat?"+q.Encode(), nil)); status != 401 {
					t.Fatalf("stale timestamp: %d", status)
				}
			})

			t.Run("stale push refused", func(t *testing.T) {
				status, _ := postWeChat(t, srv, safe, now.Add(-6*time.Minute), wxMessage("oStale", bottest.Msg{Text: "你好"}, "1", now, ""))
				if status != 401 {
					t.Fatalf("status %d, want 401", status)
				}
			})

			if safe { // plaintext mode has no msg_signature
				t.Run("bad msg_signature", func(t *testing.T) {
					enc := seal([]byte(wxMessage("oBad", bottest.Msg{Text: "你好"}, "1", now, "")))
					q := url.Values{"timestamp": {ts}, "nonce": {"n"}, "signature": {sig(wxToken, ts, "n")}, "encrypt_type": {"aes"},
						"msg_signature": {sig(wxToken, ts, "n", enc+"x")}}
					req := httptest.NewRequest(http.MethodPost, "/bot/wechat?"+q.Encode(), strings.NewReader("<xml><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>"))
					if status, _ := chatDo(t, srv, req); status != 401 {
						t.Fatalf("status %d", status)
					}
				})
			}

			t.Run("same MsgId answered once", func(t *testing.T) {
				msg := wxMessage("oDup", bottest.Msg{Text: "我要投诉“老二位海鲜”，后厨有老鼠，很脏"}, "9001", now, "")
				_, first := postWeChat(t, srv, safe, now, msg)
				for range 3 {
					if _, again := postWeChat(t, srv, safe, now, msg); again != first {
						t.Fatalf("retry answered %q, first %q", again, first)
					}
				}
				_, next := postWeChat(t, srv, safe, now, wxMessage("oDup", bottest.Msg{Text: "是"}, "9002", now, ""))
				if !strings.Contains(next, "什么时候") {
					t.Fatalf("after retries the conversation is at %q", next)
				}
			})
		})
	}
}

func TestChatRequestValidation(t *testing.T) {
	srv, _ := chatServer(t, false, nil)
	for _, body := range []string{
		`{}`,
		`{"session":"short","text":"hi"}`,
		`{"session":"abcdefghijklmnop","text":""}`,
		`{"session":"abcdefghijklmnop","text":"hi","lang":"fr"}`,
		`{"session":"abcdefghijklmnop","location":{"lat":39.8}}`,
		`{"session":"abcdefghijklmnop","text":"hi","extra":1}`,
		`{"session":"abcdefghijklmnop","text":"hi","msg_id":"bad id!"}`,
		`not json`,
	} {
		t.Run(body, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/chat", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if status, out := chatDo(t, srv, req); status != 400 || !strings.Contains(string(out), `"code":"invalid"`) {
				t.Fatalf("%d %s", status, out)
			}
		})
	}
}

func TestChatPage(t *testing.T) {
	srv, _ := chatServer(t, false, nil)
	for _, lang := range []string{"zh", "en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/chat?lang="+lang, nil)
			resp, err := srv.App.Test(req, 5000)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := string(body)
			if resp.StatusCode != 200 || !strings.Contains(page, `src="/static/chat.js"`) || !strings.Contains(page, `data-lang="`+lang+`"`) {
				t.Fatalf("%d %s", resp.StatusCode, page)
			}
			if strings.Contains(page, "<script>") || strings.Contains(page, "onclick") {
				t.Fatal("inline script on the chat page")
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Fatalf("CSP %q", resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
	if status, _ := chatDo(t, srv, httptest.NewRequest(http.MethodGet, "/static/chat.js", nil)); status != 200 {
		t.Fatalf("chat.js: %d", status)
	}
}

func TestChatRoutesOffWhenUnconfigured(t *testing.T) {
	env := bottest.New(t)
	srv := api.New(api.Config{Store: env.DB})
	for _, path := range []string{"/bot/wechat", "/chat"} {
		if status, _ := chatDo(t, srv, httptest.NewRequest(http.MethodGet, path, nil)); status != 404 {
			t.Fatalf("GET %s: %d, want 404", path, status)
		}
	}
}
