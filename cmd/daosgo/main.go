// Command daosgo is Go tooling over DAOS: pool and container
// administration, pool layout upgrades and middleware consistency checks,
// on the embedded engine (the default) or on DAOS through libdaos.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/daosgo/daosgo/daosgo"
)

// globals are the flags every command shares.
type globals struct {
	Engine string `help:"Backend: embedded[:DIR] keeps pools as files under DIR (default DAOSGO_HOME or ~/.local/share/daosgo); daos uses libdaos (binaries built with -tags daos)." default:"embedded" env:"DAOSGO_ENGINE"`
	JSON   bool   `help:"Print one machine-readable JSON result instead of text." name:"json" short:"j"`

	out     io.Writer
	errOut  io.Writer // where notes beside the result go, such as an upgrade restarted
	backend daosgo.Backend
	// runsUpgrade is set by the commands that run upgrades themselves, so
	// that opening the backend does not restart one behind their back.
	runsUpgrade bool
	// status is the exit status of a command that succeeded but has
	// something to say by it (the checker: what it found and repaired).
	status int
}

type cli struct {
	globals
	Pool      poolCmd      `cmd:"" help:"Create, inspect and administer pools (what dmg pool does)."`
	Container containerCmd `cmd:"" aliases:"cont" help:"Create, inspect and destroy containers (what daos container does)."`
	FS        fsCmd        `cmd:"" name:"fs" help:"Read and write the namespace of a POSIX (DFS) container."`
}

// open connects the chosen backend once per run.
func (g *globals) open() (daosgo.Backend, error) {
	if g.backend != nil {
		return g.backend, nil
	}
	b, err := openBackend(g.Engine)
	if err != nil {
		return nil, err
	}
	installResumer(g, b)
	g.backend = b
	return b, nil
}

// print writes v as JSON in --json mode, else calls text.
func (g *globals) print(v any, text func(w io.Writer)) error {
	if g.JSON {
		return printJSON(g.out, v)
	}
	text(g.out)
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	var c cli
	c.out, c.errOut = stdout, stderr
	parser, err := kong.New(&c,
		kong.Name("daosgo"),
		kong.Description("Go tooling over DAOS: pool administration and layout upgrade, middleware consistency checks.\n\nPools live in the embedded engine unless --engine daos is given."),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
	)
	if err != nil {
		fmt.Fprintln(stderr, "daosgo:", err)
		return 2
	}
	code := 0
	func() {
		defer func() {
			if r := recover(); r != nil {
				ec, ok := r.(exitCode)
				if !ok {
					panic(r)
				}
				code = int(ec)
			}
		}()
		kctx, err := parser.Parse(args)
		if err != nil {
			code = exitUsage
			c.JSON = c.JSON || jsonRequested(args)
			reportUsage(&c.globals, stderr, err)
			return
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		kctx.BindTo(ctx, (*context.Context)(nil))
		err = kctx.Run(&c.globals)
		if c.backend != nil {
			c.backend.Close()
		}
		code = c.status
		if err != nil {
			code = exitFailed
			var st *statusError
			if errors.As(err, &st) {
				code = st.code
			}
			report(&c.globals, stderr, kctx.Command(), err)
		}
	}()
	return code
}

type exitCode int

// Exit statuses. A command that fails exits 1; a command line that is
// refused before anything is done (an unknown command or flag, a value
// that does not parse or is out of its range) exits 2. The checker follows
// fsck instead (see checkStatus), keeping 2 for its command line too.
const (
	exitFailed = 1
	exitUsage  = 2
)

// statusError is a command's error with the exit status it calls for.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// jsonRequested reports whether a command line asks for --json, for the
// command lines that fail to parse before the flag is seen.
func jsonRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "-j", "--json=true", "--json=1":
			return true
		}
	}
	return false
}

// errorJSON is the one document a failed command prints under --json.
type errorJSON struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
	Name   string `json:"code_name,omitempty"`
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// reportUsage prints why a command line was refused: as kong prints it,
// or under --json as an error document with DER_INVAL's code.
func reportUsage(g *globals, stderr io.Writer, err error) {
	if g.JSON {
		printJSON(g.out, errorJSON{err.Error(), daosgo.Code(daosgo.ErrInval), daosgo.ErrInval.Name()})
		return
	}
	fmt.Fprintf(stderr, "daosgo: error: %v\n", err)
}

// errnoOf is the DAOS code of err; an error of this machine (a local file
// that cannot be read, say) gets the code DAOS uses for the same failure,
// so that a JSON error always carries one.
func errnoOf(err error) daosgo.Errno {
	var e daosgo.Errno
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, fs.ErrNotExist):
		return daosgo.ErrNonexist
	case errors.Is(err, fs.ErrPermission):
		return daosgo.ErrNoPerm
	case errors.Is(err, fs.ErrExist):
		return daosgo.ErrExist
	case errors.Is(err, context.Canceled):
		return daosgo.ErrCanceled
	}
	return daosgo.ErrMisc
}

// report prints a failed command's error: what was asked, why it failed,
// and the DAOS return code.
func report(g *globals, stderr io.Writer, command string, err error) {
	if g.JSON {
		e := errnoOf(err)
		printJSON(g.out, errorJSON{err.Error(), e.Code(), e.Name()})
		return
	}
	var words []string
	for _, w := range strings.Fields(command) {
		if !strings.HasPrefix(w, "<") {
			words = append(words, w)
		}
	}
	fmt.Fprintf(stderr, "daosgo %s: %v\n", strings.Join(words, " "), err)
}
