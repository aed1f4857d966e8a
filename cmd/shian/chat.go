package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"shian/bot"
	"shian/bot/redisstore"
	"shian/bot/wechat"
	"shian/store/sqlstore"
)

func init() {
	register("chat", "[--user NAME] [--lang zh|en|ru]: talk to the bot in the terminal (\"location LAT LNG\" shares a position)", chatCmd)
}

// botStateStore is where conversations live: Redis when SHIAN_REDIS_URL is
// set (every replica sees one conversation), else the SQL store.
func (env *Env) botStateStore(db *sqlstore.DB) (bot.Store, func(), error) {
	if env.Config.RedisURL == "" {
		return db, func() {}, nil
	}
	opts, err := redis.ParseURL(env.Config.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("SHIAN_REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opts)
	return redisstore.New(rdb, "shian:bot:"), func() { rdb.Close() }, nil
}

// botEngine builds the dialogue engine over the store and the same search,
// complaint intake and sticker verifier that serve's API uses. allow rate
// limits messages per user (nil: unlimited).
func (env *Env) botEngine(db *sqlstore.DB, state bot.Store, sr bot.Searcher, cs bot.Complaints, kit *stickerKit,
	allow func(ctx context.Context, channel, user string) bool) (*bot.Engine, error) {
	return bot.New(bot.Config{Search: sr, Shops: db, Complaints: cs, Store: state, Stickers: kit,
		PublicURL: env.Config.PublicURL, Allow: allow, Log: env.Log, Now: env.Now})
}

// wechatHandler builds /bot/wechat from SHIAN_WECHAT_*; nil when unset.
func (env *Env) wechatHandler(eng *bot.Engine) (*wechat.Handler, error) {
	if env.Config.WechatToken == "" {
		return nil, nil
	}
	if env.Config.WechatAESKey == "" {
		env.Log.Warn("WeChat endpoint in plaintext mode: the signature does not cover the message body; " +
			"set SHIAN_WECHAT_AESKEY and SHIAN_WECHAT_APPID (safe mode) in production (deploy/RUNBOOK.md)")
	}
	var nonces wechat.Nonces // in process unless Redis is configured
	if env.Config.RedisURL != "" {
		opts, err := redis.ParseURL(env.Config.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("SHIAN_REDIS_URL: %w", err)
		}
		nonces = wechat.RedisNonces{Client: redis.NewClient(opts), Prefix: "shian:wechat:nonce:"}
	}
	return wechat.New(wechat.Config{Token: env.Config.WechatToken, EncodingAESKey: env.Config.WechatAESKey,
		AppID: env.Config.WechatAppID, Nonces: nonces, Log: env.Log, Now: env.Now}, eng)
}

func chatCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	user := fs.String("user", "console", "conversation user name (state is kept per user for 30 minutes)")
	lang := fs.String("lang", "", "starting language: zh, en or ru")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	state, closeState, err := env.botStateStore(db)
	if err != nil {
		return err
	}
	defer closeState()
	sp, err := env.searchParts(ctx, db, env.Log)
	if err != nil {
		return err
	}
	cs, err := env.complaintService(db, nil, nil, sp.service)
	if err != nil {
		return err
	}
	kit, err := env.stickerKit()
	if err != nil {
		return err
	}
	eng, err := env.botEngine(db, state, sp.service, cs, kit, nil)
	if err != nil {
		return err
	}
	return converse(ctx, eng, os.Stdin, env.Stdout, *user, *lang)
}

// converse reads lines from in and prints the bot's replies until EOF.
func converse(ctx context.Context, eng *bot.Engine, in io.Reader, out io.Writer, user, lang string) error {
	fmt.Fprintln(out, "食安 bot — type a message; Ctrl-D quits. \"location 39.83 119.48\" shares a position.")
	sc := bufio.NewScanner(in)
	for {
		fmt.Fprint(out, "> ")
		if !sc.Scan() {
			fmt.Fprintln(out)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		msg := bot.Input{Channel: bot.ChannelConsole, User: user, Text: line, Lang: lang}
		if f := strings.Fields(line); len(f) == 3 && (f[0] == "location" || f[0] == "位置") {
			lat, err1 := strconv.ParseFloat(f[1], 64)
			lng, err2 := strconv.ParseFloat(f[2], 64)
			if err1 == nil && err2 == nil {
				msg.Text, msg.Location = "", &bot.Location{Lat: lat, Lng: lng}
			}
		}
		replies, err := eng.Handle(ctx, msg)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, bot.Plain(replies))
	}
}
