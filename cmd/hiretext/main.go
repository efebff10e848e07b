// Command hiretext is the hiretext service: the web server, database
// migrations and the operator's administration commands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // company time zones work on machines without zoneinfo

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "hiretext:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage reports bad command-line usage whose explanation was already printed.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// env is how commands read the environment (injected for tests).
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// clock is the time serve runs by: the system's, except in journeys
	// that move it (a text scheduled for tomorrow morning, tried tonight).
	clock hiretext.Clock
}

const usage = `hiretext — texting between recruiters and candidates, self-hosted.

Usage:
  hiretext serve [flags]     run the web server
  hiretext migrate [flags]   apply database migrations and exit
  hiretext backup --to FILE  copy a SQLite database, even while serve runs
  hiretext restore --from FILE
                             put a backup in place of a SQLite database not in use
  hiretext doctor [flags]    check a deployment: database, base URL, webhooks, provider, email, clock
  hiretext admin ...         operator commands (companies, users, tokens)
  hiretext version           print the version

Run "hiretext COMMAND --help" for a command's flags.
`

// run is the whole program: it parses args and runs one command until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, clock: hiretext.SystemClock})
}

// runEnv runs the command args names in e.
func runEnv(ctx context.Context, args []string, e env) error {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], e)
	case "migrate":
		return runMigrate(ctx, args[1:], e)
	case "admin":
		return runAdmin(ctx, args[1:], e)
	case "backup":
		return runBackup(ctx, args[1:], e)
	case "restore":
		return runRestore(ctx, args[1:], e)
	case "doctor":
		return runDoctor(ctx, args[1:], e)
	case "version", "--version":
		fmt.Fprintln(stdout, "hiretext", versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "hiretext: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

// versionString is the build's version: the -ldflags value, else the module
// version or VCS revision recorded by the Go toolchain.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to stderr.
func newFlagSet(name, synopsis string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: %s\n\nFlags:\n", synopsis)
		// Defaults come from the environment: a URL's password (the
		// database's, the SMTP server's) must not reach the screen.
		fs.VisitAll(func(f *flag.Flag) { f.DefValue = store.RedactURL(f.DefValue) })
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; --help prints usage and ends the command cleanly.
func parseFlags(fs *flag.FlagSet, args []string) (done bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	if err != nil {
		return true, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return true, errUsage
	}
	return false, nil
}

// printJSON prints v as one JSON object, for --json.
func printJSON(e env, v any) error { return json.NewEncoder(e.stdout).Encode(v) }

// envOr returns the environment variable's value, or def when it is unset.
func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// defaultDatabase is the embedded default: a SQLite file beside the working directory.
const defaultDatabase = "sqlite:hiretext-data/hiretext.db"

// databaseFlag adds --database (HIRETEXT_DATABASE) to fs.
func databaseFlag(fs *flag.FlagSet, e env) *string {
	return fs.String("database", envOr(e.getenv, "HIRETEXT_DATABASE", defaultDatabase),
		"database URL: sqlite:PATH, sqlite::memory: or postgres://… (env HIRETEXT_DATABASE)")
}
