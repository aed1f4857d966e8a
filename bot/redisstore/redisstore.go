// Package redisstore keeps the bot's conversation state and delivery
// de-duplication in Redis (bot.Store), used when SHIAN_REDIS_URL is set so
// that every replica sees one conversation. Keys expire by Redis TTL.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"shian"
)

// Store is a bot.Store over Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a store whose keys start with prefix (e.g. "shian:bot:").
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix}
}

// pending marks a claimed delivery whose reply is not saved yet.
const pending = "\x00pending"

func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w (%v)", op, &shian.Error{Code: shian.EUNAVAILABLE, Message: "the conversation store is not reachable"}, err)
}

// LoadBotState returns the state saved for key. Errors: ENOTFOUND, EUNAVAILABLE.
func (s *Store) LoadBotState(ctx context.Context, key string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, shian.Errorf(shian.ENOTFOUND, "no conversation state")
	} else if err != nil {
		return nil, unavailable("load bot state", err)
	}
	return b, nil
}

// SaveBotState saves the state of key for ttl.
func (s *Store) SaveBotState(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.prefix+key, data, ttl).Err(); err != nil {
		return unavailable("save bot state", err)
	}
	return nil
}

// ClaimBotMessage records a delivery with SET NX; a repeat gets the saved
// reply, or nil while the first is still being answered.
func (s *Store) ClaimBotMessage(ctx context.Context, key string, ttl time.Duration) (bool, []byte, error) {
	ok, err := s.rdb.SetNX(ctx, s.prefix+key, pending, ttl).Result()
	if err != nil {
		return false, nil, unavailable("claim bot message", err)
	}
	if ok {
		return true, nil, nil
	}
	b, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil, nil // expired between the two calls: treat as busy
	case err != nil:
		return false, nil, unavailable("claim bot message", err)
	case string(b) == pending:
		return false, nil, nil
	}
	return false, b, nil
}

// SaveBotReply stores the answer to a claimed delivery.
func (s *Store) SaveBotReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.prefix+key, reply, ttl).Err(); err != nil {
		return unavailable("save bot reply", err)
	}
	return nil
}
