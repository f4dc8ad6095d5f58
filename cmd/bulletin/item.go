package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"bulletin/internal/bulletin"
)

func runItem(ctx context.Context, env *Env, args []string) error {
	return dispatchVerb(ctx, env, "item", map[string]verb{
		"add": {"add --title T [--body-file F] [--url U] [--section S] [--newsletter N] [--source S] [--kind article|link] [--closing] [--approved] [--email E]", runItemAdd},
	}, args)
}

func runItemAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "item add", "item add --title T [--body-file F] [--url U] [--section S] [--newsletter N] [--source S] [--kind article|link] [--closing] [--approved] [--email E]")
	it := &bulletin.Item{}
	fs.StringVar(&it.Title, "title", "", "the highlight line (plain text, one line)")
	bodyFile := fs.String("body-file", "", "a Markdown file with the body; - reads standard input")
	fs.StringVar(&it.URL, "url", "", "link to the full story (http or https)")
	fs.StringVar(&it.Section, "section", "", "section slug (default: none)")
	fs.StringVar(&it.Newsletter, "newsletter", "", "newsletter slug (default: the default newsletter)")
	fs.StringVar(&it.Source, "source", "", `attribution, e.g. "By Jane Smith, The Guardian"`)
	fs.StringVar(&it.Kind, "kind", "article", "article (title and body) or link (one line in the link round-up)")
	fs.BoolVar(&it.Closing, "closing", false, `render this item last ("Lastly, …")`)
	approved := fs.Bool("approved", false, "store the item already approved")
	email := fs.String("email", "", "the contributor to record (a user's email; default: none)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if it.Title == "" {
		fs.Usage()
		return errors.New("item add: --title is required")
	}
	if *bodyFile != "" {
		var b []byte
		if *bodyFile == "-" {
			b, err = io.ReadAll(io.LimitReader(env.Stdin, bulletin.MaxBodyBytes+1))
		} else {
			b, err = os.ReadFile(*bodyFile)
		}
		if err != nil {
			return fmt.Errorf("item add: --body-file: %w", err)
		}
		it.Body = string(b)
	}
	if *approved {
		it.Status = bulletin.ItemApproved
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		if *email != "" {
			u, err := m.DB.FindUserByEmail(ctx, *email)
			if err != nil {
				return failed("item add: --email", err)
			}
			it.ContributorID = &u.ID
		}
		if err := m.DB.SubmitItem(ctx, it, nil); err != nil {
			return failed("item add", err)
		}
		fmt.Fprintf(env.Stdout, "Added item %d (%s, position %d)\n", it.ID, it.Status, it.Position)
		return nil
	})
}
