package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// runSend starts sending an issue and prints its progress until it is
// sent. With an SMTP server configured it also sends from this process;
// otherwise the sender roles of running 'serve' processes do the work.
func runSend(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "send", "send [--newsletter SLUG] --issue K [--detach] [flags]")
	nl := fs.String("newsletter", "", "newsletter slug (default: the default newsletter)")
	number := fs.Int("issue", 0, "issue number (required)")
	detach := fs.Bool("detach", false, "start sending and return; running sender processes deliver it")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *number <= 0 {
		return errors.New("send: --issue K is required (a positive issue number)")
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		local := !*detach && cfg.SMTP.Host != ""
		send, err := m.wireSending(local)
		if err != nil {
			return err
		}
		n, err := send.svc.Send(ctx, *nl, *number)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "issue %d: sending, %d deliveries created\n", *number, n)
		if *detach {
			return nil
		}
		if !local {
			fmt.Fprintln(env.Stdout, "no BULLETIN_SMTP_URL here: waiting for the sender role of a running 'bulletin serve'")
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			if send.pool == nil {
				done <- nil
				return
			}
			done <- send.pool.Run(ctx)
		}()
		err = watchProgress(ctx, env, send.svc, *nl, *number)
		cancel()
		if perr := <-done; err == nil {
			err = perr
		}
		return err
	})
}

// watchProgress prints a progress line every second until the issue is sent
// or ctx ends (Ctrl-C: this process stops sending; the issue keeps its
// state and any sender resumes it).
func watchProgress(ctx context.Context, env *Env, svc *delivery.Service, nl string, number int) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		p, is, err := svc.Progress(ctx, nl, number)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "issue %d: %d/%d sent, %d failed, %d pending, %.1f msg/s, ETA %s%s\n",
			number, p.Sent, p.Total, p.Failed, p.Pending, p.Rate, eta(p.ETA), paused(p))
		if is.Status == bulletin.IssueSent {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func eta(seconds float64) string {
	if seconds <= 0 {
		return "-"
	}
	return (time.Duration(seconds) * time.Second).String()
}

func paused(p *bulletin.Progress) string {
	if p.Paused {
		return " — PAUSED by policy rejections (" + p.Alarm + "); fix the sender, then run send again"
	}
	return ""
}
