package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dockerLines returns the Dockerfile's instructions, continuation lines
// joined and comments dropped.
func dockerLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	cur := ""
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == "") {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur += strings.TrimSuffix(trimmed, `\`) + " "
			continue
		}
		out = append(out, strings.TrimSpace(cur+trimmed))
		cur = ""
	}
	return out
}

// shellWords splits a RUN command the way sh would for the plain quoting
// the Dockerfile uses ("…" around one argument).
func shellWords(s string) []string {
	var out []string
	var b strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}

// No Docker engine runs here, so the Dockerfile is checked against the
// module instead: the build stage uses the Go version go.mod names, builds
// a command that exists, and its go build command compiles; the runtime
// stage runs the binary it built, as a non-root user, with a HEALTHCHECK
// that is a real subcommand; .dockerignore keeps what the build needs.
func TestDockerfileMatchesModule(t *testing.T) {
	root := filepath.Join("..", "..")
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goVersion == nil {
		t.Fatal("go.mod has no go directive")
	}
	lines := dockerLines(t, filepath.Join(root, "Dockerfile"))

	var stages [][]string
	for _, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], l)
		}
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a build stage and a runtime stage", len(stages))
	}
	build, runtime := stages[0], stages[1]
	from := regexp.MustCompile(`^FROM golang:(\S+?)(-\S+)? AS build$`).FindStringSubmatch(build[0])
	if from == nil || from[1] != string(goVersion[1]) {
		t.Fatalf("build stage %q, want FROM golang:%s… AS build (go.mod's version)", build[0], goVersion[1])
	}

	args := map[string]string{}
	var goBuild []string
	for _, l := range build {
		if a, ok := strings.CutPrefix(l, "ARG "); ok {
			k, v, _ := strings.Cut(a, "=")
			args[k] = v
		}
		if cmd, ok := strings.CutPrefix(l, "RUN "); ok && strings.Contains(cmd, "go build") {
			goBuild = shellWords(cmd)
		}
	}
	if goBuild == nil {
		t.Fatal("the build stage has no RUN … go build")
	}
	var env, argv []string
	out := ""
	for i, w := range goBuild {
		for k, v := range args {
			w = strings.ReplaceAll(w, "${"+k+"}", v)
		}
		switch {
		case argv == nil && regexp.MustCompile(`^[A-Z_]+=`).MatchString(w):
			env = append(env, w)
		case i > 0 && goBuild[i-1] == "-o":
			out = w
			argv = append(argv, filepath.Join(t.TempDir(), "bulletin"))
		default:
			argv = append(argv, w)
		}
	}
	pkg := argv[len(argv)-1]
	if st, err := os.Stat(filepath.Join(root, pkg)); err != nil || !st.IsDir() || pkg != "./cmd/bulletin" {
		t.Fatalf("go build builds %q, want ./cmd/bulletin, which exists", pkg)
	}
	if argv[0] != "go" || argv[1] != "build" || out == "" {
		t.Fatalf("build command %q, want go build … -o PATH ./cmd/bulletin", goBuild)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's build command %q fails: %v\n%s", argv, err, b)
	}

	rt := strings.Join(runtime, "\n")
	if !strings.Contains(rt, "COPY --from=build "+out+" ") {
		t.Errorf("runtime stage does not copy %s from the build stage", out)
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)$`).FindStringSubmatch(rt)
	if user == nil || strings.HasPrefix(user[1], "root") || strings.HasPrefix(user[1], "0") {
		t.Errorf("runtime stage USER %v, want a non-root user", user)
	}
	hc := regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD \["[^"]+", "([a-z]+)"\]$`).FindStringSubmatch(rt)
	if hc == nil {
		t.Fatal("runtime stage has no HEALTHCHECK … CMD [\"…/bulletin\", \"SUBCOMMAND\"]")
	}
	if _, ok := commands()[hc[1]]; !ok {
		t.Errorf("HEALTHCHECK runs %q, which is no bulletin subcommand", hc[1])
	}

	ignore, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(ignore), "\n") {
		for _, need := range []string{"go.mod", "go.sum", "cmd", "internal", "templates", "migrations", "*.go", "*.sql", "*.html"} {
			if strings.TrimSpace(line) == need {
				t.Errorf(".dockerignore leaves out %s, which the build needs", need)
			}
		}
	}
}

// The healthcheck subcommand passes against a running serve and fails,
// naming the address, when nothing answers.
func TestHealthcheckCommand(t *testing.T) {
	_, base := startMain(t, "web")
	addr := strings.TrimPrefix(base, "http://")
	env, out, _ := testEnv(map[string]string{"BULLETIN_ADDR": addr})
	if err := run(t.Context(), env, []string{"healthcheck"}); err != nil || out.String() != "ok\n" {
		t.Fatalf("healthcheck against a running serve: %v, printed %q", err, out.String())
	}
	env, _, _ = testEnv(nil)
	err := run(t.Context(), env, []string{"healthcheck", "--addr", freeAddr(t)})
	if err == nil || !strings.Contains(err.Error(), "healthcheck:") {
		t.Fatalf("healthcheck with nothing listening: %v, want an error", err)
	}
}
