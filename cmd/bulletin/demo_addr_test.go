package main

import (
	"flag"
	"net"
	"testing"
)

func TestDemoBaseURL(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"0.0.0.0:8081", "http://localhost:8081"},
		{"[::]:9000", "http://localhost:9000"},
		{"127.0.0.1:8080", "http://localhost:8080"},
		{"192.0.2.7:8080", "http://192.0.2.7:8080"},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := demoBaseURL(a); got != c.want {
			t.Errorf("demoBaseURL(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
}

func TestDemoListenDerivesBaseURLOnlyWhenUnset(t *testing.T) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.String("base-url", "", "")
	ln, base, err := demoListen(&Env{Getenv: func(string) string { return "" }}, fs, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if want := demoBaseURL(ln.Addr()); base != want {
		t.Errorf("base = %q, want %q from the listener", base, want)
	}
	ln2, base, err := demoListen(&Env{Getenv: func(k string) string {
		if k == "BULLETIN_BASE_URL" {
			return "https://news.example.org"
		}
		return ""
	}}, fs, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	if base != "" {
		t.Errorf("base = %q with BULLETIN_BASE_URL set, want the configured one kept", base)
	}
}
