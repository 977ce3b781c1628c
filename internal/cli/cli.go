// Package cli parses mxcert's command line (flags with MXCERT_* environment
// defaults) and runs the subcommands. It holds no business rules: each
// subcommand builds a configuration and calls the package that owns the job.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"mxcert/internal/services"
)

// Streams are the standard streams, injectable for tests.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, s Streams) int
}

func commands() []command {
	return []command{
		{"serve", "inicia el servidor web", runServe},
		{"lint", "revisa el contenido (módulos y bancos de preguntas)", runLint},
		{"user", "crea cuentas, da tiempo adicional, enlaces de contraseña y el segundo factor de la consola (user create, accommodate, reset-password, totp)", runUser},
		{"cert", "revoca o restablece certificados (cert revoke, cert reinstate)", runCert},
		{"verify", "verifica sin conexión la firma de un certificado en PDF", runVerify},
		{"backup", "copia la base de datos sin detener el servidor", runBackup},
		{"migrate", "copia una instalación SQLite a una base PostgreSQL vacía y comprueba la copia", runMigrate},
	}
}

// Main runs one subcommand and returns the process exit code: 0 success,
// 1 failure (such as lint errors), 2 usage errors.
func Main(ctx context.Context, args []string, s Streams) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.Err)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], s)
		}
	}
	fmt.Fprintf(s.Err, "mxcert: subcomando desconocido %q\n\n", args[0])
	usage(s.Err)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Uso: mxcert <subcomando> [opciones]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "«mxcert <subcomando> -h» muestra las opciones de cada uno.")
}

// newFlagSet makes a flag set that reports errors instead of exiting.
func newFlagSet(name string, s Streams) *flag.FlagSet {
	fs := flag.NewFlagSet("mxcert "+name, flag.ContinueOnError)
	fs.SetOutput(s.Err)
	return fs
}

// env returns the MXCERT_<NAME> variable for a flag, or def. Flags given on
// the command line win over the environment.
func env(flagName, def string) string {
	key := "MXCERT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// parse parses args and reports whether to go on; the exit code is for when
// not (0 for -h, 2 for bad usage).
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: argumento inesperado %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}

// dataFlags are the settings of the subcommands that work on the server's
// data. They are serve's, with the same environment variables, so that a
// subcommand builds the same services as the server it administers.
type dataFlags struct {
	data, database, key, baseURL, contact *string
	allowSharedKey                        *bool
}

func addDataFlags(fs *flag.FlagSet) dataFlags {
	return dataFlags{
		data:           fs.String("data", env("data", "./data"), "carpeta de datos (MXCERT_DATA)"),
		database:       fs.String("database", "", "base de datos PostgreSQL (postgres://…) del servidor; sin ella, el archivo SQLite de --data (MXCERT_DATABASE)"),
		key:            fs.String("key", env("key", ""), "llave de firma Ed25519 de los certificados (MXCERT_KEY); por omisión DATA/keys/signing.key"),
		baseURL:        fs.String("base-url", env("base-url", ""), "dirección pública del sitio, impresa en los certificados (MXCERT_BASE_URL)"),
		contact:        fs.String("contact-email", env("contact-email", ""), "correo de la Fundación que los mensajes dan a quien necesita escribirle (MXCERT_CONTACT_EMAIL)"),
		allowSharedKey: fs.Bool("allow-shared-key", env("allow-shared-key", "") == "1", "acepta una llave de firma que otros usuarios pueden leer (MXCERT_ALLOW_SHARED_KEY=1)"),
	}
}

// open opens the services over the data directory. The command line
// serves no content, so they are opened without it.
func (f dataFlags) open(ctx context.Context) (*services.Set, error) {
	database := *f.database
	if database == "" {
		database = env("database", "")
	}
	return services.Open(ctx, services.Config{DataDir: *f.data, Database: database, KeyPath: *f.key, BaseURL: *f.baseURL, ContactEmail: *f.contact, AllowSharedKey: *f.allowSharedKey})
}
