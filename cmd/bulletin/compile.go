package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/compile"
	"bulletin/internal/render"
	"bulletin/internal/schedule"
)

// newCompiler parses the email templates (a broken one stops start-up with
// its file and line) and wires the compile stage to the store.
func (m *Main) newCompiler() (*compile.Compiler, error) {
	r, err := render.New(m.Templates, m.Log)
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	c := &compile.Compiler{Store: m.DB, Log: m.Log, Render: r.ForCompile(m.Config.BaseURL)}
	m.DB.RenderIssue = c.RenderAgain // a corrected item re-renders its issue in the same transaction
	return c, nil
}

// schedulerService is the scheduler role: every process may run it, the
// unique slot per newsletter makes each slot compile once.
func (m *Main) schedulerService(c *compile.Compiler) func(context.Context) error {
	s := schedule.New(schedule.Config{
		List: m.DB.FindScheduledNewsletters,
		Compile: func(ctx context.Context, nl bulletin.Newsletter, slot time.Time) error {
			_, err := c.Compile(ctx, nl.Slug, &slot, false)
			return err
		},
		Log: m.Log,
	})
	return s.Run
}

func runCompile(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "compile", "compile [--newsletter SLUG] [--allow-empty]")
	nl := fs.String("newsletter", "", "newsletter slug (default: the default newsletter)")
	allowEmpty := fs.Bool("allow-empty", false, "compile an issue even when no approved item waits")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		c, err := m.newCompiler()
		if err != nil {
			return err
		}
		is, err := c.Compile(ctx, *nl, nil, *allowEmpty)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintln(env.Stdout, is.Number)
		return nil
	})
}

func runPreview(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "preview", "preview [--newsletter SLUG] --issue K [--out F.html] [--text]")
	nl := fs.String("newsletter", "", "newsletter slug (default: the default newsletter)")
	number := fs.Int("issue", 0, "issue number (required)")
	out := fs.String("out", "-", "file to write; - for standard output")
	text := fs.Bool("text", false, "write the text part instead of the HTML")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *number <= 0 {
		return errors.New("preview: --issue K is required (a positive issue number)")
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		is, err := m.DB.FindIssueByNumber(ctx, *nl, *number)
		if err != nil {
			return cliError(err)
		}
		// Neutral personal values, as the archive shows it.
		html, txt := bulletin.NewPersonalizer(is.HTML, is.Text).Apply(bulletin.Personal{})
		body := html
		if *text {
			body = txt
		}
		if *out == "-" {
			_, err = fmt.Fprint(env.Stdout, body)
			return err
		}
		if err := os.WriteFile(*out, []byte(body), 0o644); err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		fmt.Fprintf(env.Stderr, "issue %d written to %s\n", is.Number, *out)
		return nil
	})
}

// cliError shows a domain error by its message alone.
func cliError(err error) error {
	if code := bulletin.ErrorCode(err); code != bulletin.EINTERNAL {
		return errors.New(bulletin.ErrorMessage(err))
	}
	return err
}
