package notices

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// WeChat sends customer-service messages through the Official Account API
// (POST {BaseURL}/cgi-bin/message/custom/send?access_token=…), fetching and
// caching the access token (GET {BaseURL}/cgi-bin/token). A token the API
// calls invalid or expired (40001, 42001) is fetched again once.
type WeChat struct {
	BaseURL string // https://api.weixin.qq.com
	AppID   string
	Secret  string
	Client  *http.Client
	Now     func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// WeChat error codes the sender acts on.
const (
	wxInvalidCredential = 40001
	wxTokenExpired      = 42001
	wxOutsideWindow     = 45015
)

type wxAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

func (w *WeChat) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *WeChat) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (w *WeChat) call(req *http.Request) (*wxAnswer, error) {
	resp, err := w.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("wechat: HTTP %d", resp.StatusCode)
	}
	var a wxAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("wechat: bad answer: %w", err)
	}
	return &a, nil
}

// accessToken returns the cached token, fetching one when there is none,
// it is about to expire, or force is set.
func (w *WeChat) accessToken(ctx context.Context, force bool) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !force && w.token != "" && w.now().Before(w.expires) {
		return w.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {w.AppID}, "secret": {w.Secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(w.BaseURL, "/")+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	a, err := w.call(req)
	if err != nil {
		return "", err
	}
	if a.ErrCode != 0 || a.AccessToken == "" {
		return "", fmt.Errorf("wechat token: errcode %d: %s", a.ErrCode, a.ErrMsg)
	}
	// Renew five minutes early: a token used at its last second fails.
	w.token, w.expires = a.AccessToken, w.now().Add(time.Duration(a.ExpiresIn)*time.Second-5*time.Minute)
	return w.token, nil
}

// SendText implements WeChatSender. Errors: ErrOutsideWindow for 45015.
func (w *WeChat) SendText(ctx context.Context, openID, text string) error {
	body, _ := json.Marshal(map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}})
	for attempt := 0; ; attempt++ {
		tok, err := w.accessToken(ctx, attempt > 0)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			strings.TrimRight(w.BaseURL, "/")+"/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		a, err := w.call(req)
		if err != nil {
			return err
		}
		switch a.ErrCode {
		case 0:
			return nil
		case wxOutsideWindow:
			return ErrOutsideWindow
		case wxInvalidCredential, wxTokenExpired:
			if attempt == 0 {
				continue
			}
		}
		return fmt.Errorf("wechat send: errcode %d: %s", a.ErrCode, a.ErrMsg)
	}
}
