package api_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shian/api"
)

// BenchmarkComplaintIntake measures complaints committed per second with
// 64 concurrent clients over real HTTP (loopback), each answer a 201 that
// the service sends only after the commit, with an Idempotency-Key as the
// pages and the bot send. It reports complaints/s and the p50/p99 latency
// of b.N complaints filed after a warm-up of 256.
//
//	go test ./api -run '^$' -bench ComplaintIntake -benchtime 4000x
func BenchmarkComplaintIntake(b *testing.B) {
	for _, st := range cxStores {
		b.Run(st.name, func(b *testing.B) {
			f := newCxFixture(b, st.open)
			f.srv = api.New(api.Config{Store: f.db, Now: f.now, Complaints: f.svc, Limiter: roomyLimiter(b),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go f.srv.App.Listener(ln)
			defer f.srv.App.Shutdown()
			url := "http://" + ln.Addr().String() + "/api/v1/complaints"

			const clients = 64
			tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
			client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			bodies := make([][]byte, 256)
			for i := range bodies {
				// A quarter about the registered shop, the rest about 192
				// shops known by name in four districts.
				bodies[i] = []byte(jsonBody(b, func(m map[string]any) {
					m["contact_phone"] = fmt.Sprintf("1391%07d", i)
					m["category"] = []string{"hygiene", "foreign_object", "price_weight", "spoiled_food"}[i%4]
					if i%4 != 0 {
						m["licence"] = ""
						m["shop_name"] = fmt.Sprintf("%s第%d家小吃店", []string{"海港区", "北戴河", "山海关", "昌黎"}[i%4], i)
					}
				}))
			}
			var next atomic.Int64
			lat := make([][]time.Duration, clients)
			var failed atomic.Int64
			// run sends complaints numbered up to last from 64 clients,
			// recording latencies when record is set.
			run := func(last int64, record bool) {
				var wg sync.WaitGroup
				for w := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := next.Add(1)
							if i > last {
								return
							}
							req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i%int64(len(bodies))]))
							req.Header.Set("Content-Type", "application/json")
							req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
							t0 := time.Now()
							resp, err := client.Do(req)
							if err != nil {
								failed.Add(1)
								continue
							}
							body, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode != http.StatusCreated {
								if failed.Add(1) <= 3 {
									b.Logf("status %d after %v: %s", resp.StatusCode, time.Since(t0), body)
								}
								continue
							}
							if record {
								lat[w] = append(lat[w], time.Since(t0))
							}
						}
					}()
				}
				wg.Wait()
			}
			// Warm up (connections, prepared statements, caches), as a
			// serving replica is, then measure b.N more.
			const warm = 256
			run(warm, false)
			next.Store(warm)
			b.ResetTimer()
			start := time.Now()
			run(warm+int64(b.N), true)
			elapsed := time.Since(start)
			b.StopTimer()
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			if failed.Load() > 0 || len(all) == 0 {
				b.Fatalf("%d requests failed, %d succeeded", failed.Load(), len(all))
			}
			if n := f.count(b, "complaints"); n != warm+len(all) {
				b.Fatalf("%d complaints stored, %d acknowledged", n, warm+len(all))
			}
			slices.Sort(all)
			pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "complaints/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
