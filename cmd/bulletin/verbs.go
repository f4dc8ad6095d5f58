package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"bulletin/internal/bulletin"
)

// verb is one action of a multi-word command ("user add").
type verb struct {
	synopsis string
	run      func(ctx context.Context, env *Env, args []string) error
}

// dispatchVerb runs the verb named by args[0]. With no verb or an unknown
// one it prints the command's usage; --help prints it and succeeds.
func dispatchVerb(ctx context.Context, env *Env, name string, verbs map[string]verb, args []string) error {
	if len(args) == 0 {
		verbUsage(env.Stderr, name, verbs)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		verbUsage(env.Stdout, name, verbs)
		return nil
	}
	v, ok := verbs[args[0]]
	if !ok {
		verbUsage(env.Stderr, name, verbs)
		return fmt.Errorf("%s: unknown action %q", name, args[0])
	}
	return v.run(ctx, env, args[1:])
}

func verbUsage(w io.Writer, name string, verbs map[string]verb) {
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Usage: bulletin %s ACTION [flags]\n\nActions:\n", name)
	for _, n := range names {
		fmt.Fprintf(w, "  bulletin %s %s\n", name, verbs[n].synopsis)
	}
	fmt.Fprintf(w, "\nRun 'bulletin %s ACTION --help' for an action's flags.\n", name)
}

// failed shows a domain error by its message alone ("item add: title:
// required") and keeps any other error whole, since there is no client
// here to hide internals from.
func failed(what string, err error) error {
	var e *bulletin.Error
	if errors.As(err, &e) {
		return fmt.Errorf("%s: %s", what, e.Message)
	}
	return fmt.Errorf("%s: %w", what, err)
}
