// Command mxcert runs the MxOS Certificación platform: the web server, the
// content linter and the administration commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mxcert/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
