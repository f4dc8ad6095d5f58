package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"bulletin/internal/config"
)

func servicesMain(grace time.Duration) *Main {
	return &Main{Config: &config.Config{ShutdownGrace: grace}, Log: slog.New(slog.DiscardHandler)}
}

// A failing service stops the others, which drain; Run reports the failure
// with the service's name.
func TestServiceFailureStopsTheOthers(t *testing.T) {
	m := servicesMain(time.Minute)
	drained := make(chan struct{})
	m.add("worker", func(ctx context.Context) error { <-ctx.Done(); close(drained); return nil })
	m.add("broken", func(context.Context) error { return errors.New("boom") })
	err := m.runServices(context.Background())
	if err == nil || !strings.Contains(err.Error(), "broken: boom") {
		t.Fatalf("runServices = %v, want the broken service's error", err)
	}
	select {
	case <-drained:
	default:
		t.Error("the other service was not stopped")
	}
}

// A service that finishes its work early leaves the others running.
func TestServiceDoneEarlyKeepsTheOthers(t *testing.T) {
	m := servicesMain(time.Minute)
	ctx, stop := context.WithCancel(context.Background())
	reported := make(chan struct{})
	stillRunning := make(chan bool, 1)
	m.add("report", func(context.Context) error { close(reported); return nil })
	m.add("worker", func(ctx context.Context) error {
		<-reported
		stillRunning <- ctx.Err() == nil
		stop()
		<-ctx.Done()
		return nil
	})
	if err := m.runServices(ctx); err != nil {
		t.Fatal(err)
	}
	if !<-stillRunning {
		t.Error("a service that ended cleanly stopped the others")
	}
}

// A service that does not drain within the grace period is named, and Run
// returns without it (the process then exits); Close will not wait for it.
func TestServiceOverstayingGraceIsAbandoned(t *testing.T) {
	m := servicesMain(10 * time.Millisecond)
	release := make(chan struct{})
	defer close(release)
	m.add("stuck", func(context.Context) error { <-release; return nil })
	m.add("polite", func(ctx context.Context) error { <-ctx.Done(); return nil })
	ctx, stop := context.WithCancel(context.Background())
	stop()
	err := m.runServices(ctx)
	if err == nil || !strings.Contains(err.Error(), "stuck still running") || strings.Contains(err.Error(), "polite") {
		t.Fatalf("runServices = %v, want only the stuck service named", err)
	}
	if !m.stuck {
		t.Error("Close would wait for the abandoned service")
	}
}
