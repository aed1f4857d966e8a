package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// Config is the one typed configuration shared by every subcommand:
// environment first, flags override, validated before anything starts.
type Config struct {
	Addr           string `env:"SHIAN_ADDR" default:"127.0.0.1:8080" help:"listen address"`
	AdminAddr      string `env:"SHIAN_ADMIN_ADDR" default:"" help:"admin listen address for /metrics (empty: off)"`
	DataDir        string `env:"SHIAN_DATA_DIR" default:"./data" help:"directory for the SQLite file, generated secrets and uploads"`
	DatabaseURL    string `env:"SHIAN_DATABASE_URL" default:"" help:"sqlite://PATH or postgres://… (default sqlite://$SHIAN_DATA_DIR/shian.db)"`
	MeiliURL       string `env:"SHIAN_MEILI_URL" default:"" help:"Meilisearch URL; empty means store-backed search"`
	MeiliKey       string `env:"SHIAN_MEILI_KEY" default:"" help:"Meilisearch API key" secret:"true"`
	RedisURL       string `env:"SHIAN_REDIS_URL" default:"" help:"Redis URL; empty means in-process rate limiting"`
	Secret         string `env:"SHIAN_SECRET" default:"" help:"HMAC/AES key material (generated into the data dir when empty)" secret:"true"`
	PublicURL      string `env:"SHIAN_PUBLIC_URL" default:"http://127.0.0.1:8080" help:"base URL printed into QR codes"`
	TrustedProxies string `env:"SHIAN_TRUSTED_PROXIES" default:"" help:"comma-separated CIDRs whose X-Real-IP is trusted"`
	WechatToken    string `env:"SHIAN_WECHAT_TOKEN" default:"" help:"WeChat Official Account server token" secret:"true"`
	WechatAESKey   string `env:"SHIAN_WECHAT_AESKEY" default:"" help:"WeChat EncodingAESKey (43 characters)" secret:"true"`
	WechatAppID    string `env:"SHIAN_WECHAT_APPID" default:"" help:"WeChat AppID"`
	LogLevel       string `env:"SHIAN_LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	AdminToken     string `env:"SHIAN_ADMIN_TOKEN" default:"" help:"bearer token of the admin API (empty: admin API off)" secret:"true"`
	RateLimits     string `env:"SHIAN_RATE_LIMITS" default:"" help:"rate-limit overrides: NAME=RATE/PERIOD[:BURST],… (e.g. complaint_ip_hour=200/1h)"`
	QRKeys         string `env:"SHIAN_QR_KEYS" default:"1" help:"QR sticker key ids, current first; id:retired stops verifying (e.g. 2,1)"`
	ViewCacheBytes string `env:"SHIAN_VIEW_CACHE_BYTES" default:"67108864" help:"bytes of rendered shop answers each replica caches (views.DefaultMaxBytes, 64 MiB)"`
	FontPath       string `env:"SHIAN_FONT" default:"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf" help:"CJK TrueType font for sticker sheets (Debian fonts-droid-fallback)"`
}

// fields walks the tagged fields of the config.
func (c *Config) fields(fn func(f reflect.StructField, v reflect.Value)) {
	rv := reflect.ValueOf(c).Elem()
	for i := 0; i < rv.NumField(); i++ {
		fn(rv.Type().Field(i), rv.Field(i))
	}
}

// flagName turns SHIAN_DATA_DIR into data-dir.
func flagName(env string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "SHIAN_")), "_", "-")
}

// LoadConfig reads defaults, then the environment, then registers flags on
// fs that override them once fs is parsed.
func LoadConfig(fs *flag.FlagSet, getenv func(string) string) *Config {
	c := &Config{}
	c.fields(func(f reflect.StructField, v reflect.Value) {
		val := f.Tag.Get("default")
		if e := getenv(f.Tag.Get("env")); e != "" {
			val = e
		}
		v.SetString(val)
		fs.Func(flagName(f.Tag.Get("env")), f.Tag.Get("help")+" ("+f.Tag.Get("env")+")", func(s string) error {
			v.SetString(s)
			return nil
		})
	})
	return c
}

// Validate checks the config and fills derived defaults.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("SHIAN_ADDR %q: want host:port", c.Addr))
	}
	if _, err := c.viewCacheBytes(); err != nil {
		errs = append(errs, err)
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			errs = append(errs, fmt.Errorf("SHIAN_ADMIN_ADDR %q: want host:port", c.AdminAddr))
		}
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("SHIAN_DATA_DIR must not be empty"))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "shian.db")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("SHIAN_DATABASE_URL must start with sqlite:// or postgres://"))
	}
	for name, raw := range map[string]string{"SHIAN_MEILI_URL": c.MeiliURL, "SHIAN_REDIS_URL": c.RedisURL, "SHIAN_PUBLIC_URL": c.PublicURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: not an absolute URL", name, maskURL(raw)))
		}
	}
	if c.PublicURL == "" {
		errs = append(errs, errors.New("SHIAN_PUBLIC_URL must not be empty"))
	}
	if _, err := c.Proxies(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("SHIAN_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.WechatAESKey != "" && len(c.WechatAESKey) != 43 {
		errs = append(errs, errors.New("SHIAN_WECHAT_AESKEY must be 43 characters"))
	}
	return errors.Join(errs...)
}

// Proxies parses SHIAN_TRUSTED_PROXIES.
func (c *Config) Proxies() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			if strings.Contains(s, ":") {
				s += "/128"
			} else {
				s += "/32"
			}
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("SHIAN_TRUSTED_PROXIES: %q is not a CIDR", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// SecretBytes returns the key material: SHIAN_SECRET, else a secret file
// in the data dir, generated on first use (0600).
func (c *Config) SecretBytes() ([]byte, error) {
	if c.Secret != "" {
		if len(c.Secret) < 32 {
			return nil, errors.New("SHIAN_SECRET must be at least 32 characters")
		}
		return []byte(c.Secret), nil
	}
	path := filepath.Join(c.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	// Write a complete file under a temporary name, then link it into
	// place: of two replicas starting at once, one link wins and the other
	// reads the winner's secret — never a half-written one.
	tmp, err := os.CreateTemp(c.DataDir, ".secret-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(buf) + "\n"); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	b, err := os.ReadFile(path)
	return []byte(strings.TrimSpace(string(b))), err
}

// Print writes the config with secrets masked.
func (c *Config) Print(w io.Writer) {
	c.fields(func(f reflect.StructField, v reflect.Value) {
		val := v.String()
		switch {
		case f.Tag.Get("secret") == "true" && val != "":
			val = "****** (set)"
		case strings.Contains(val, "://"):
			val = maskURL(val)
		}
		fmt.Fprintf(w, "%-22s %s\n", f.Tag.Get("env"), val)
	})
}

// maskURL hides a password inside a URL.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// viewCacheBytes is SHIAN_VIEW_CACHE_BYTES: at least 1 MiB, at most 64 GiB.
func (c *Config) viewCacheBytes() (int64, error) {
	n, err := strconv.ParseInt(c.ViewCacheBytes, 10, 64)
	if err != nil || n < 1<<20 || n > 64<<30 {
		return 0, fmt.Errorf("SHIAN_VIEW_CACHE_BYTES %q: want a number of bytes from 1048576 to 68719476736", c.ViewCacheBytes)
	}
	return n, nil
}
