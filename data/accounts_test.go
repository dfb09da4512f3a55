package data_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if err := s.AddUser(ctx, data.Account{Name: "mei", Secret: "$2a$hash", Roles: "finance", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, data.Account{Name: "mei", Secret: "x", Roles: "admin", CreatedAt: now}); !errors.Is(err, data.ErrAccountExists) {
		t.Errorf("AddUser of an existing name = %v, want %v", err, data.ErrAccountExists)
	}
	if u, ok, err := s.User(ctx, "mei"); err != nil || !ok || u.Roles != "finance" || u.Secret != "$2a$hash" || !u.CreatedAt.Equal(now) {
		t.Errorf("User(mei) = %+v %v %v", u, ok, err)
	}
	if _, ok, _ := s.User(ctx, "nobody"); ok {
		t.Error("User(nobody) found someone")
	}
	for _, roles := range []string{"analyst", "viewer+analyst"} {
		if err := s.SetToken(ctx, data.Account{Name: "etl", Secret: "abc" + roles, Roles: roles, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if tok, ok, err := s.TokenBySHA256(ctx, "abcviewer+analyst"); err != nil || !ok || tok.Name != "etl" || tok.Roles != "viewer+analyst" {
		t.Errorf("TokenBySHA256 = %+v %v %v, want the replacing token", tok, ok, err)
	}
	if toks, _ := s.Tokens(ctx); len(toks) != 1 {
		t.Errorf("Tokens = %+v, want one (replaced by name)", toks)
	}
	if removed, err := s.RemoveUser(ctx, "mei"); err != nil || !removed {
		t.Errorf("RemoveUser(mei) = %v %v", removed, err)
	}
	if removed, _ := s.RemoveUser(ctx, "mei"); removed {
		t.Error("RemoveUser of a removed user removed something")
	}
	if users, _ := s.Users(ctx); len(users) != 0 {
		t.Errorf("Users after removal = %+v", users)
	}
}
