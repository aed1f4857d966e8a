// Package notices tells complainants what happened to their complaint
// (docs/notices.md). Each public status change queues a notice in the
// transaction that makes it (store/sqlstore); the Worker here drains that
// outbox: a WeChat customer-service message for a complaint filed through
// the Official Account while its 48-hour window is open, else an SMS when
// a phone is known, else the notice is undeliverable.
//
// Delivery is at most once per notice: a notice whose worker dies while
// sending is marked uncertain and not sent again (the store does it when
// the lease runs out), so a crash never duplicates a message; a failure the
// provider reports is retried with backoff.
package notices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"shian"
	"shian/complaints"
)

// SMS sends a text message to a phone number.
type SMS interface {
	SendSMS(ctx context.Context, phone string, n *shian.Notice, text string) error
}

// ErrOutsideWindow is WeChat's 45015: the user has not written to the
// Official Account in the last 48 hours, so no customer-service message
// can reach them.
var ErrOutsideWindow = errors.New("wechat: outside the 48-hour customer-service window (45015)")

// WeChatSender sends a customer-service text message to an OpenID.
type WeChatSender interface {
	SendText(ctx context.Context, openID, text string) error
}

// Store is the notice outbox (store/sqlstore implements it).
type Store interface {
	ClaimNotices(ctx context.Context, limit int, lease time.Duration) ([]*shian.Notice, error)
	FinishNotice(ctx context.Context, id int64, state, via, lastError string, retryAt time.Time) error
	NoticeRecipient(ctx context.Context, complaintID int64) (*shian.Complaint, string, error)
}

// Contacts unseals a complaint's contact (complaints.Service).
type Contacts interface {
	OpenContact(c *shian.Complaint) (complaints.Contact, error)
}

// OpenIDs unseals a stored OpenID (complaints.Sealer with the ad "openid:"+ticket).
type OpenIDs interface {
	Open(sealed, ad string) ([]byte, error)
}

// Worker drains the notice outbox.
type Worker struct {
	Store    Store
	Contacts Contacts
	OpenIDs  OpenIDs      // nil: no WeChat recipients
	WeChat   WeChatSender // nil: WeChat disabled
	SMS      SMS          // required; LogSMS is the default
	Log      *slog.Logger
	Now      func() time.Time
	// Batch, Lease and MaxAttempts default to 50, 1 minute and 8.
	Batch       int
	Lease       time.Duration
	MaxAttempts int
}

// OpenIDAD is the additional data an OpenID is sealed with.
func OpenIDAD(ticket string) string { return "openid:" + ticket }

func (w *Worker) defaults() {
	if w.Batch <= 0 {
		w.Batch = 50
	}
	if w.Lease <= 0 {
		w.Lease = time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 8
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
}

// Run drains the outbox every interval until ctx ends.
func (w *Worker) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("notices: drain", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Drain sends one batch of due notices and returns how many it finished
// (sent, undeliverable or failed).
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.defaults()
	batch, err := w.Store.ClaimNotices(ctx, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, n := range batch {
		state, via, sendErr := w.deliver(ctx, n)
		msg := ""
		retry := time.Time{}
		if sendErr != nil {
			msg = sendErr.Error()
			if state == shian.NoticePending {
				if n.Attempts >= w.MaxAttempts {
					state = shian.NoticeFailed
				} else {
					retry = w.Now().Add(backoff(n.Attempts))
				}
			}
		}
		if err := w.Store.FinishNotice(ctx, n.ID, state, via, msg, retry); err != nil {
			return done, err
		}
		if state != shian.NoticePending {
			done++
		}
	}
	return done, nil
}

// backoff is 30 s, 1 min, 2 min … up to an hour.
func backoff(attempt int) time.Duration {
	d := 30 * time.Second << max(attempt-1, 0)
	return min(d, time.Hour)
}

// deliver picks the channel and sends; a pending state means "retry".
func (w *Worker) deliver(ctx context.Context, n *shian.Notice) (state, via string, err error) {
	c, sealedOpenID, err := w.Store.NoticeRecipient(ctx, n.ComplaintID)
	if err != nil {
		return shian.NoticePending, "", err
	}
	text := shian.NoticeText(n)
	if w.WeChat != nil && w.OpenIDs != nil && sealedOpenID != "" {
		openID, err := w.OpenIDs.Open(sealedOpenID, OpenIDAD(c.Ticket))
		if err != nil {
			return shian.NoticeFailed, "wechat", fmt.Errorf("open openid: %w", err)
		}
		err = w.WeChat.SendText(ctx, string(openID), text)
		switch {
		case err == nil:
			return shian.NoticeSent, "wechat", nil
		case !errors.Is(err, ErrOutsideWindow):
			return shian.NoticePending, "wechat", err
		}
		// Outside the window: an SMS if a phone is known.
	}
	ct, err := w.Contacts.OpenContact(c)
	if shian.ErrorCode(err) == shian.ENOTFOUND || err == nil && ct.Phone == "" {
		return shian.NoticeUndeliverable, "", errors.New("no channel reaches the complainant (no WeChat window, no phone)")
	} else if err != nil {
		return shian.NoticeFailed, "sms", fmt.Errorf("open contact: %w", err)
	}
	if err := w.SMS.SendSMS(ctx, ct.Phone, n, text); err != nil {
		return shian.NoticePending, "sms", err
	}
	return shian.NoticeSent, "sms", nil
}

// LogSMS is the default SMS sender: it writes the message to the log with
// the number masked, for a city that has not configured a provider.
type LogSMS struct{ Log *slog.Logger }

// SendSMS implements SMS.
func (l LogSMS) SendSMS(_ context.Context, phone string, n *shian.Notice, text string) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.Info("notice by SMS (log only)", "to", shian.MaskPhone(phone), "ticket", n.Ticket, "text", text)
	return nil
}
