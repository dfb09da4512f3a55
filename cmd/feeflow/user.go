package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/server"
)

// runUser manages the people who sign in: feeflow user add|remove|list.
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("want a subcommand: add, remove or list")
	}
	sub, args := args[0], args[1:]
	fs := newFlags(e, "user "+sub, "--db PATH [--name NAME] [--role ROLES]")
	db := fs.String("db", "", "database file")
	name := fs.String("name", "", "the user's sign-in name")
	role := fs.String("role", "viewer", "roles joined by +: "+server.RoleNames+" (admin implies all)")
	tz := tzFlag(fs)
	switch sub {
	case "add", "remove", "list":
	default:
		return usagef("unknown subcommand %q: want add, remove or list", sub)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	if sub != "list" && !accountName.MatchString(*name) {
		return usagef("--name is required: letters, digits, '_', '.' or '-', at most 64")
	}
	switch sub {
	case "add":
		roles, err := server.ParseRoles(*role)
		if err != nil {
			return usagef("--role: %v", err)
		}
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		return withAccounts(ctx, *db, *tz, func(store *data.Store) error {
			key, err := passwordKey(*db)
			if err != nil {
				return err
			}
			hash, err := key.Hash(password)
			if err != nil {
				return err
			}
			if err := store.AddUser(ctx, data.Account{Name: *name, Secret: hash, Roles: roles.String(), CreatedAt: e.now()}); err != nil {
				if errors.Is(err, data.ErrAccountExists) {
					return fmt.Errorf("%v: remove it first to change its password or roles", err)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "added user %s (%s)\n", *name, roles)
			return nil
		})
	case "remove":
		return withAccounts(ctx, *db, *tz, func(store *data.Store) error {
			removed, err := store.RemoveUser(ctx, *name)
			if err == nil && !removed {
				err = fmt.Errorf("no user named %s", *name)
			}
			if err == nil {
				fmt.Fprintf(e.stdout, "removed user %s\n", *name)
			}
			return err
		})
	}
	return withAccounts(ctx, *db, *tz, func(store *data.Store) error {
		users, err := store.Users(ctx)
		if err != nil {
			return err
		}
		tokens, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tROLES\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\tuser\t%s\t%s\n", u.Name, u.Roles, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
		}
		for _, t := range tokens {
			fmt.Fprintf(tw, "%s\ttoken\t%s\t%s\n", t.Name, t.Roles, t.CreatedAt.UTC().Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	})
}

// readPassword takes the password from FEEFLOW_PASSWORD, else from the
// first line of stdin; never from a flag, which other users of the machine
// could read in the process list.
func readPassword(e *env) (string, error) {
	if p := e.getenv("FEEFLOW_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprint(e.stderr, "password (one line on stdin): ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no password: set FEEFLOW_PASSWORD or give it as one line on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
