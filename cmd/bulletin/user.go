package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"bulletin/internal/bulletin"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	return dispatchVerb(ctx, env, "user", map[string]verb{
		"add":    {"add --email E --role admin|editor|contributor [--name N] [--password-stdin]", runUserAdd},
		"list":   {"list", runUserList},
		"set":    {"set --email E [--role R] [--name N]", runUserSet},
		"delete": {"delete --email E", runUserDelete},
	}, args)
}

func runUserAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "user add", "user add --email E --role admin|editor|contributor [--name N] [--password-stdin]")
	email := fs.String("email", "", "the user's email address (their login)")
	role := fs.String("role", "", "admin, editor or contributor")
	name := fs.String("name", "", "the user's name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (without it the user can only use API tokens)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *email == "" || *role == "" {
		fs.Usage()
		return errors.New("user add: --email and --role are required")
	}
	var pw string
	if *pwStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if line == "" && err != nil {
			return fmt.Errorf("user add: read password from standard input: %w", err)
		}
		if pw = strings.TrimRight(line, "\r\n"); pw == "" {
			return errors.New("user add: the password on standard input is empty")
		}
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		u := &bulletin.User{Email: *email, Name: *name, Role: *role}
		if err := m.DB.CreateUser(ctx, u, pw); err != nil {
			return failed("user add", err)
		}
		fmt.Fprintf(env.Stdout, "Added %s %s (id %d)\n", u.Role, u.Email, u.ID)
		if pw == "" {
			fmt.Fprintf(env.Stderr, "No password set: create an API token with 'bulletin token create --email %s'.\n", u.Email)
		}
		return nil
	})
}

func runUserList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "user list", "user list")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		us, err := m.DB.FindUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s\n", u.ID, u.Role, u.Email, u.Name)
		}
		return nil
	})
}

// runUserSet changes a user's role or name through the accounts service, so
// the last admin cannot be demoted here either.
func runUserSet(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "user set", "user set --email E [--role admin|editor|contributor] [--name N]")
	email := fs.String("email", "", "the user's email address")
	role := fs.String("role", "", "the new role")
	name := fs.String("name", "", "the new name")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	var upd bulletin.UserUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "role":
			upd.Role = role
		case "name":
			upd.Name = name
		}
	})
	if *email == "" || upd.Role == nil && upd.Name == nil {
		fs.Usage()
		return errors.New("user set: --email and at least one of --role and --name are required")
	}
	m := &Main{Config: cfg, Log: newLogger(env, cfg.LogLevel)}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	u, err := m.DB.FindUserByEmail(ctx, *email)
	if err == nil {
		u, err = m.DB.UpdateUser(ctx, u.ID, upd)
	}
	if err != nil {
		return failed("user set", err)
	}
	fmt.Fprintf(env.Stdout, "%s is %s (%s)\n", u.Email, u.Role, u.Name)
	return nil
}

// runUserDelete removes a user (their items stay), never the last admin.
func runUserDelete(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "user delete", "user delete --email E")
	email := fs.String("email", "", "the user's email address")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errors.New("user delete: --email is required")
	}
	m := &Main{Config: cfg, Log: newLogger(env, cfg.LogLevel)}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	u, err := m.DB.FindUserByEmail(ctx, *email)
	if err == nil {
		err = m.DB.DeleteUser(ctx, u.ID, nil)
	}
	if err != nil {
		return failed("user delete", err)
	}
	fmt.Fprintf(env.Stdout, "Deleted %s; their items stay\n", u.Email)
	return nil
}
