package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

func runToken(ctx context.Context, env *Env, args []string) error {
	return dispatchVerb(ctx, env, "token", map[string]verb{
		"create": {"create --email E [--name N]", runTokenCreate},
		"list":   {"list --email E", runTokenList},
		"revoke": {"revoke ID", runTokenRevoke},
	}, args)
}

// runTokenCreate prints the new token alone on standard output, so that
// scripts can capture it; it is never shown again.
func runTokenCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "token create", "token create --email E [--name N]")
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "", "a name to recognise the token by (laptop, CI, …)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errors.New("token create: --email is required")
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		u, err := m.DB.FindUserByEmail(ctx, *email)
		if err != nil {
			return failed("token create", err)
		}
		tok, rec, err := m.DB.CreateToken(ctx, u.ID, *name)
		if err != nil {
			return failed("token create", err)
		}
		fmt.Fprintln(env.Stdout, tok)
		fmt.Fprintf(env.Stderr, "Token %d for %s (%s). It is shown only this once; use it as: Authorization: Bearer TOKEN\n", rec.ID, u.Email, u.Role)
		return nil
	})
}

func runTokenList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "token list", "token list --email E")
	email := fs.String("email", "", "whose tokens")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		u, err := m.DB.FindUserByEmail(ctx, *email)
		if err != nil {
			return failed("token list", err)
		}
		ts, err := m.DB.FindTokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state, used := "active", "never used"
			if t.RevokedAt != nil {
				state = "revoked"
			}
			if t.LastUsedAt != nil {
				used = "last used " + t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s\n", t.ID, state, t.Name, used)
		}
		return nil
	})
}

func runTokenRevoke(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "token revoke", "token revoke ID")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if fs.NArg() != 1 || err != nil {
		fs.Usage()
		return errors.New("token revoke: give the token's id (see 'bulletin token list')")
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		if err := m.DB.RevokeToken(ctx, 0, id, nil); err != nil {
			return failed("token revoke", err)
		}
		fmt.Fprintf(env.Stdout, "Revoked token %d\n", id)
		return nil
	})
}
