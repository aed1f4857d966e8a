package wechat_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/bot/wechat"
)

// Fixed vectors computed outside Go (Python hashlib and `openssl enc
// -aes-256-cbc -nopad` over a hand-padded block), so that a bug shared by
// Encrypt and Decrypt cannot hide.
const (
	vecToken  = "token123"
	vecTS     = "1784080800"
	vecNonce  = "nonce9"
	vecAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecAppID  = "wx1234567890abcdef"
	vecSig    = "c5c7dfaa0b5482c1ef204743dcb4dc1cc122cec4"
	vecMsgSig = "d4d7215c1d5cf2618f482947c4cd4d7099ed396c"
	vecCipher = "Q3stYC6hdFzMh9T8HCvyDM4IgQ4/K7m9dl0ABPZ6CYShGkL0iKNFhwzNQKK+bZnVxqXIYzcI4wnwwt8QUmOS3KgXzAqQS7gAEmwr+P0six98sY/v67VgRd+8EBJodZ2J75KzuzJs76fgk3wabhRbKUKp4WdhsIELVt4NAZbqXTEjg6EX5Mc6Xj+bV2Io/fvTe6qvBExT+7tfUspLYK/JuiZ9P9WCzROyVHh7sZc79EJCT25v1uQCcY7q5JLAFh3gUgOy8YOSnT3PpBvFKgLgYLvlLKxsMJY15XKOr6+H1+4RLtWnDnvgeCBy82AqLCzAH0xEmzQRJQ9KHGv/xx7VfhQ+Gz9KG9AJa2HszW9QceGlwn467IyybhBiR3Ub1o98"
	vecPlain  = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oVector]]></FromUserName><CreateTime>1784080800</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>42</MsgId></xml>"
)

func TestSignatureVectors(t *testing.T) {
	if got := wechat.Signature(vecToken, vecTS, vecNonce); got != vecSig {
		t.Fatalf("signature %s, want %s", got, vecSig)
	}
	if got := wechat.Signature(vecToken, vecTS, vecNonce, vecCipher); got != vecMsgSig {
		t.Fatalf("msg_signature %s, want %s", got, vecMsgSig)
	}
}

func TestDecryptVector(t *testing.T) {
	key, err := wechat.AESKey(vecAESKey)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := wechat.Decrypt(key, vecAppID, vecCipher)
	if err != nil || string(plain) != vecPlain {
		t.Fatalf("Decrypt = %q, %v", plain, err)
	}
	for _, tc := range []struct{ name, appID, ct string }{
		{"other app", "wx000", vecCipher},
		{"not base64", vecAppID, "!!!"},
		{"short", vecAppID, "AAAA"},
		{"tampered", vecAppID, "A" + vecCipher[1:]},
		{"truncated", vecAppID, vecCipher[:len(vecCipher)-44]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := wechat.Decrypt(key, tc.appID, tc.ct); shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
	// Round trip with Encrypt.
	ct, err := wechat.Encrypt(key, vecAppID, []byte("回复"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := wechat.Decrypt(key, vecAppID, ct); err != nil || string(p) != "回复" {
		t.Fatalf("round trip = %q, %v", p, err)
	}
}

func TestBadConfig(t *testing.T) {
	echo := botFunc(func(ctx context.Context, in bot.Input) ([]bot.Reply, error) { return nil, nil })
	for _, cfg := range []wechat.Config{{}, {Token: "t", EncodingAESKey: "short"}, {Token: "t", EncodingAESKey: vecAESKey}} {
		if _, err := wechat.New(cfg, echo); err == nil {
			t.Fatalf("New(%+v) accepted", cfg)
		}
	}
}

// botFunc adapts a function to wechat.Bot for protocol-only tests (the
// engine itself is exercised end to end in api's chat tests).
type botFunc func(ctx context.Context, in bot.Input) ([]bot.Reply, error)

func (f botFunc) Handle(ctx context.Context, in bot.Input) ([]bot.Reply, error) { return f(ctx, in) }

func FuzzServe(f *testing.F) {
	f.Add([]byte(vecPlain), false)
	f.Add([]byte("<xml><Encrypt><![CDATA["+vecCipher+"]]></Encrypt></xml>"), true)
	f.Add([]byte("<xml><MsgType>location</MsgType><Location_X>39.8</Location_X><Location_Y>119.5</Location_Y></xml>"), false)
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>"), false)
	now := time.Unix(1784080800, 0)
	reply := botFunc(func(ctx context.Context, in bot.Input) ([]bot.Reply, error) {
		return []bot.Reply{{Text: "echo ]]> " + in.Text}}, nil
	})
	h, err := wechat.New(wechat.Config{Token: vecToken, EncodingAESKey: vecAESKey, AppID: vecAppID, Now: func() time.Time { return now },
		FetchImage: func(context.Context, string) ([]byte, error) { return nil, nil }}, reply)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, safe bool) {
		q := url.Values{"timestamp": {vecTS}, "nonce": {vecNonce}, "signature": {vecSig}}
		if safe {
			q.Set("encrypt_type", "aes")
			if m, err := wechat.ParseMessage(body); err == nil {
				q.Set("msg_signature", wechat.Signature(vecToken, vecTS, vecNonce, m.Encrypt))
			}
		}
		out, err := h.Serve(context.Background(), q, body)
		if err != nil {
			if c := shian.ErrorCode(err); c != shian.EINVALID && c != shian.EUNAUTHORIZED {
				t.Fatalf("Serve: %v", err)
			}
			return
		}
		if len(out) == 0 || (string(out) != "success" && !strings.HasPrefix(string(out), "<xml>")) {
			t.Fatalf("Serve answered %q", out)
		}
	})
}
