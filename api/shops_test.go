package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/api"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
)

// newStore returns a migrated SQLite store with two shops.
func newStore(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return storetest.Now }
	storetest.MustMigrate(t, db)
	closed := storetest.Shop("JY1130302000002", "渔家乐", "beidaihe")
	closed.Status = shian.StatusClosed
	if _, err := db.UpsertShops(context.Background(), []*shian.Shop{storetest.Shop("JY1130302000001", "老二位海鲜", "beidaihe"), closed}); err != nil {
		t.Fatal(err)
	}
	return db
}

func newServer(t *testing.T) *api.Server {
	return api.New(api.Config{Store: newStore(t), Now: func() time.Time { return storetest.Now }})
}

func do(t *testing.T, s *api.Server, path, lang string) (int, string, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := s.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: not JSON: %s", path, body)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), m
}

func TestGetShop(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/api/v1/shops/JY1130302000001", "/api/v1/shops/jy1130302000001"} {
		status, ctype, m := do(t, s, path, "")
		if status != 200 || ctype != "application/json" {
			t.Fatalf("%s: %d %s", path, status, ctype)
		}
		g := m["grade"].(map[string]any)
		if m["name"] != "老二位海鲜" || g["dynamic"] != "good" || g["dynamic_date"] != "2026-05-10" || g["annual"] != "A" || g["annual_year"] != 2025.0 {
			t.Fatalf("%s: %v", path, m)
		}
		if n := len(m["recent_inspections"].([]any)); n != 2 {
			t.Fatalf("recent inspections = %d", n)
		}
	}
	_, _, m := do(t, s, "/api/v1/shops/JY1130302000002", "")
	if g := m["grade"].(map[string]any); g["status_note"] != "closed" {
		t.Fatalf("closed shop grade = %v", g)
	}
}

func TestShopErrors(t *testing.T) {
	s := newServer(t)
	cases := []struct {
		path, lang string
		status     int
		detail     string
	}{
		{"/api/v1/shops/JY9999999999", "", 404, "未找到许可证号为 JY9999999999 的商户"},
		{"/api/v1/shops/JY9999999999", "en-US,en;q=0.9", 404, "No shop has licence number JY9999999999"},
		{"/api/v1/shops/JY9999999999", "ru", 404, "Заведение с номером лицензии JY9999999999 не найдено"},
		{"/api/v1/shops/JY9999999999?lang=en", "ru", 404, "No shop has licence"},
		{"/api/v1/shops/bad-licence!", "en", 400, "not a licence number"},
		{"/api/v1/shops/X", "zh-CN", 400, "许可证号格式不正确"},
		{"/api/v1/shops/JY1130302000001/inspections?per_page=51", "en", 400, "Parameter per_page is invalid: a whole number from 1 to 50"},
		{"/api/v1/shops/JY1130302000001/inspections?page=abc", "en", 400, "page"},
		{"/api/v1/nothing-here", "en", 404, "Nothing was found"},
	}
	for _, tc := range cases {
		t.Run(tc.path+" "+tc.lang, func(t *testing.T) {
			status, ctype, m := do(t, s, tc.path, tc.lang)
			if status != tc.status || ctype != "application/problem+json" {
				t.Fatalf("status %d %s, want %d problem+json: %v", status, ctype, tc.status, m)
			}
			if d, _ := m["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Fatalf("detail %q does not contain %q", d, tc.detail)
			}
			if m["status"] != float64(tc.status) || m["title"] == "" || m["request_id"] == "" {
				t.Fatalf("problem fields: %v", m)
			}
		})
	}
}

func TestInspectionsPaged(t *testing.T) {
	s := newServer(t)
	status, _, m := do(t, s, "/api/v1/shops/JY1130302000001/inspections?per_page=1&page=2", "")
	items := m["inspections"].([]any)
	if status != 200 || m["total"] != 2.0 || len(items) != 1 || items[0].(map[string]any)["date"] != "2025-06-01" {
		t.Fatalf("%d %v", status, m)
	}
}

func TestCodeLists(t *testing.T) {
	s := newServer(t)
	_, _, m := do(t, s, "/api/v1/districts", "")
	ds := m["districts"].([]any)
	if len(ds) != 9 {
		t.Fatalf("%d districts", len(ds))
	}
	first := ds[0].(map[string]any)["names"].(map[string]any)
	if first["zh"] != "海港区" || first["en"] == "" || first["ru"] == "" {
		t.Fatalf("names = %v", first)
	}
	_, _, m = do(t, s, "/api/v1/categories", "")
	if len(m["shop_categories"].([]any)) != 8 || len(m["complaint_categories"].([]any)) != 10 {
		t.Fatalf("categories = %v", m)
	}
}

func TestReadyz(t *testing.T) {
	db := newStore(t)
	s := api.New(api.Config{Store: db, Checks: []api.Check{{Name: "search", Probe: func(context.Context) (bool, string) {
		return false, "meilisearch unreachable: dial tcp 10.0.0.7:7700"
	}}}})
	status, body, m := do(t, s, "/readyz", "")
	if status != 200 || m["status"] != "degraded" || m["checks"].(map[string]any)["search"] != "degraded" {
		t.Fatalf("%d %v", status, m)
	}
	if strings.Contains(body, "10.0.0.7") {
		t.Fatalf("public /readyz shows a dependency's error: %s", body)
	}
	// The admin listener's /readyz keeps the detail for operators.
	admin := fiber.New()
	admin.Get("/readyz", s.ReadyHandler())
	resp, err := admin.Test(httptest.NewRequest("GET", "/readyz", nil))
	if err != nil {
		t.Fatal(err)
	}
	detail, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(detail), "meilisearch unreachable: dial tcp 10.0.0.7:7700") {
		t.Fatalf("admin /readyz lacks the detail: %s", detail)
	}
	db.Close()
	status, body, m = do(t, s, "/readyz", "")
	if status != 503 || m["status"] != "unavailable" || m["checks"].(map[string]any)["store"] != "unavailable" {
		t.Fatalf("with the store closed: %d %v", status, m)
	}
	if strings.Contains(body, "closed") {
		t.Fatalf("public /readyz shows the store's error: %s", body)
	}
}
