package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/server"
)

var accountName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// runToken makes a new random token for a script, with its roles. With
// --db it is stored (as its SHA-256 only) in the database; without, it
// prints the tokens-file line, which keeps only the digest too.
func runToken(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "token", "--name NAME --role ROLES [--db PATH] [--remove]")
	name := fs.String("name", "", "the token's name, recorded as uploaded_by for its uploads")
	role := fs.String("role", "finance", "roles joined by +: "+server.RoleNames+" (admin implies all)")
	db := fs.String("db", "", "store the token in this database (the server reads it from there); default: print a --tokens-file line")
	remove := fs.Bool("remove", false, "remove the token NAME from the database (--db)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !accountName.MatchString(*name) {
		return usagef("--name is required: letters, digits, '_', '.' or '-', at most 64")
	}
	roles, err := server.ParseRoles(*role)
	if err != nil {
		return usagef("--role: %v", err)
	}
	if *remove {
		if *db == "" {
			return usagef("--remove needs --db: tokens of a tokens file are removed by deleting their line")
		}
		return withAccounts(ctx, *db, *tz, func(store *data.Store) error {
			removed, err := store.RemoveToken(ctx, *name)
			if err == nil && !removed {
				err = fmt.Errorf("no token named %s", *name)
			}
			if err == nil {
				fmt.Fprintf(e.stdout, "removed token %s\n", *name)
			}
			return err
		})
	}
	token, err := newSecret(24)
	if err != nil {
		return err
	}
	if *db != "" {
		return withAccounts(ctx, *db, *tz, func(store *data.Store) error {
			if err := store.SetToken(ctx, data.Account{Name: *name, Secret: server.TokenDigest(token), Roles: roles.String(), CreatedAt: e.now()}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "token %s (%s) stored in %s; give it to its script, it is not shown again: %s\n", *name, roles, *db, token)
			return nil
		})
	}
	fmt.Fprintf(e.stdout, "token (give it to %s; it is not stored anywhere): %s\n", *name, token)
	fmt.Fprintf(e.stdout, "line for --tokens-file: %s:%s:sha256:%s\n", *name, roles, server.TokenDigest(token))
	return nil
}

// newSecret is n random bytes in hex.
func newSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// withAccounts opens the database (which must exist) to manage its users
// and tokens.
func withAccounts(ctx context.Context, db, tz string, f func(store *data.Store) error) error {
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("database %s: %w", db, err)
	}
	loc, err := loadZone(tz)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, db, loc)
	if err != nil {
		if data.IsLocked(err) {
			return fmt.Errorf("%w\nusers and tokens are changed while the server is stopped", err)
		}
		return err
	}
	defer store.Close()
	return f(store)
}

// passwordKey reads the key mixed into the users' password hashes from the
// file beside the database (DB.key), making it on first use. The key is
// never in the database, so the hashes there are of no use without this
// file; keep it with the database's backups, or add the users again.
func passwordKey(db string) (server.PasswordKey, error) {
	name := db + ".key"
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err := newSecret(32)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return passwordKey(db) // made meanwhile by another command
		}
		if err != nil {
			return nil, fmt.Errorf("password key: %w", err)
		}
		if _, err := f.WriteString(secret + "\n"); err != nil {
			f.Close()
			os.Remove(name)
			return nil, fmt.Errorf("password key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("password key: %w", err)
		}
		return server.PasswordKey(secret), nil
	}
	if err != nil {
		return nil, fmt.Errorf("password key: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < 32 {
		return nil, fmt.Errorf("password key %s is damaged (shorter than 32 characters)", name)
	}
	return server.PasswordKey(key), nil
}
