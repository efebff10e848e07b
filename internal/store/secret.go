package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// AppSecret returns the 32-byte random key stored under name, creating it on
// first use. Every instance sharing the database gets the same key.
func (db *DB) AppSecret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	var value string
	err := db.inTx(ctx, func(tx conn) error {
		if _, err := tx.exec(ctx, "INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
			name, hex.EncodeToString(b)); err != nil {
			return err
		}
		return tx.queryRow(ctx, "SELECT value FROM app_secrets WHERE name = ?", name).Scan(&value)
	})
	if err != nil {
		return nil, fmt.Errorf("store: app secret %s: %w", name, err)
	}
	return hex.DecodeString(value)
}
