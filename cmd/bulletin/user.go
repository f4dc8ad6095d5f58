package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"bulletin/internal/bulletin"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	return dispatchVerb(ctx, env, "user", map[string]verb{
		"add":  {"add --email E --role admin|editor|contributor [--name N] [--password-stdin]", runUserAdd},
		"list": {"list", runUserList},
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
