package api_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"shian/api"
	"shian/ratelimit"
)

// BenchmarkPublicReads: the cost in this process of serving the shop JSON
// and a sticker's landing page through the whole middleware chain, both
// cached as in production (go test ./api -run '^$' -bench PublicReads).
func BenchmarkPublicReads(b *testing.B) {
	db := newStore(b)
	sg := newSigner(b)
	ps, _ := ratelimit.ParsePolicies("public_read=100000000/1s:100000000", ratelimit.DefaultPolicies())
	lim, _ := ratelimit.New(ratelimit.Options{Policies: ps})
	s := api.New(api.Config{Store: db, Stickers: sg, Scans: db, Limiter: lim, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	shop, _ := db.ShopByLicence(context.Background(), "JY1130302000001")
	tok := sg.Sign(shop.ID, shop.StickerVersion)
	h := s.App.Handler()
	for _, path := range []string{"/api/v1/shops/JY1130302000001", "/s/" + tok} {
		b.Run(strings.Split(path, "/")[1]+"/"+strings.Split(path, "/")[len(strings.Split(path, "/"))-2], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(path)
				ctx.Request.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
				h(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatal(ctx.Response.StatusCode())
				}
			}
		})
	}
}
