package main

import (
	"flag"
	"net"
	"os"
)

// demoListen opens the demo's web listener before anything is seeded, so
// that, when BULLETIN_BASE_URL (or --base-url) is not given, the links the
// demo prints and mails point at the address it really listens on.
func demoListen(env *Env, fs *flag.FlagSet, addr string) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	if baseURLGiven(env, fs) {
		return ln, "", nil
	}
	return ln, demoBaseURL(ln.Addr()), nil
}

func baseURLGiven(env *Env, fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "base-url" })
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return given || getenv("BULLETIN_BASE_URL") != ""
}

// demoBaseURL is http://host:port for a listener: "localhost" for a
// wildcard or loopback address, which a browser on the same machine opens.
func demoBaseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	ip := net.ParseIP(host)
	if host == "" || ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
