package qrcodes

import (
	"strings"
	"testing"

	"shian"
)

// alphanumeric reports whether s is entirely in the QR alphanumeric set.
func alphanumeric(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" $%*+-./:", r)) {
			return false
		}
	}
	return true
}

func TestURL(t *testing.T) {
	const tok = "AIAQDGGDQKKQMY45KA"
	tests := []struct {
		public string
		want   string
	}{
		{"https://food.qhd.gov.cn", "HTTPS://FOOD.QHD.GOV.CN/S/" + tok},
		{"https://food.qhd.gov.cn/", "HTTPS://FOOD.QHD.GOV.CN/S/" + tok},
		{"http://127.0.0.1:8080", "HTTP://127.0.0.1:8080/S/" + tok},
		{"HTTPS://Food.Qhd.Gov.Cn", "HTTPS://FOOD.QHD.GOV.CN/S/" + tok},
		{"https://www.qhd.gov.cn/SHIAN/", "HTTPS://WWW.QHD.GOV.CN/SHIAN/S/" + tok},
		{"https://qhd.gov.cn:8443/FOOD-SAFETY", "HTTPS://QHD.GOV.CN:8443/FOOD-SAFETY/S/" + tok},
	}
	for _, tt := range tests {
		t.Run(tt.public, func(t *testing.T) {
			if err := CheckPublicURL(tt.public); err != nil {
				t.Fatalf("CheckPublicURL: %v", err)
			}
			got := URL(tt.public, strings.ToLower(tok))
			if got != tt.want {
				t.Fatalf("URL = %q, want %q", got, tt.want)
			}
			if !alphanumeric(got) {
				t.Fatalf("URL %q leaves the QR alphanumeric set", got)
			}
		})
	}
	// A lower-case path is kept (paths are case-sensitive), which is why
	// CheckPublicURL rejects it.
	if got, want := URL("https://qhd.gov.cn/shian", tok), "HTTPS://QHD.GOV.CN/shian/S/"+tok; got != want {
		t.Fatalf("URL with a lower-case path = %q, want %q", got, want)
	}
}

func TestCheckPublicURLRejects(t *testing.T) {
	for _, u := range []string{
		"",
		"food.qhd.gov.cn",
		"ftp://food.qhd.gov.cn",
		"https://",
		"https://qhd.gov.cn/shian",
		"https://qhd.gov.cn/SHIAN PAGE",
		"https://qhd.gov.cn/?x=1",
		"https://qhd.gov.cn/#top",
		"https://user:pw@qhd.gov.cn",
		"https://[::1]:8080",
		"https://食安.中国",
		"https://my_host.example",
		"https://qhd.gov.cn/%e9%a3%9f",
	} {
		t.Run(u, func(t *testing.T) {
			err := CheckPublicURL(u)
			if got := shian.ErrorCode(err); got != shian.EINVALID {
				t.Fatalf("CheckPublicURL(%q) = %v (code %q), want EINVALID", u, err, got)
			}
		})
	}
}
