package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"mxcert/internal/account"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

func runUser(ctx context.Context, args []string, s Streams) int {
	if len(args) > 0 && args[0] == "accommodate" {
		return runAccommodate(ctx, args[1:], s)
	}
	if len(args) > 0 && args[0] == "totp" {
		return runUserTOTP(ctx, args[1:], s)
	}
	if len(args) > 0 && args[0] == "reset-password" {
		return runResetPassword(ctx, args[1:], s)
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(s.Err, "Uso: mxcert user create --email CORREO --name \"NOMBRE COMPLETO\" [--admin] [--state ESTADO] [--data DIR]")
		fmt.Fprintln(s.Err, "     La contraseña se lee de la entrada estándar; si no hay, se genera una y se muestra una sola vez.")
		fmt.Fprintln(s.Err, "     Con --admin, muestra también la verificación en dos pasos (código QR, clave y códigos de recuperación).")
		fmt.Fprintln(s.Err, "     mxcert user totp --email CORREO [--data DIR]")
		fmt.Fprintln(s.Err, "     Da a una cuenta de administrador una aplicación de autenticación y códigos de recuperación nuevos;")
		fmt.Fprintln(s.Err, "     los anteriores dejan de servir (para quien perdió el teléfono y los códigos).")
		fmt.Fprintln(s.Err, "     mxcert user accommodate --email CORREO --extra 30m [--data DIR]")
		fmt.Fprintln(s.Err, "     Da tiempo adicional en los exámenes que la persona empiece desde ahora (0 lo quita).")
		fmt.Fprintln(s.Err, "     mxcert user reset-password --email CORREO [--base-url URL] [--data DIR]")
		fmt.Fprintln(s.Err, "     Muestra un enlace de un solo uso (30 minutos) para elegir contraseña nueva, para dárselo")
		fmt.Fprintln(s.Err, "     a quien ya no tiene acceso a su correo, después de confirmar quién es.")
		return 2
	}
	fs := newFlagSet("user create", s)
	data := addDataFlags(fs)
	email := fs.String("email", "", "correo electrónico de la cuenta")
	name := fs.String("name", "", "nombre completo, tal como irá en los certificados")
	state := fs.String("state", "", "estado de la República (opcional)")
	admin := fs.Bool("admin", false, "la cuenta administra la consola de la Fundación")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if *email == "" || *name == "" {
		fmt.Fprintln(s.Err, "mxcert user create: --email y --name son obligatorios")
		return 2
	}
	password, generated, err := readPassword(s.In)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user create: %v\n", err)
		return 1
	}
	svc, err := data.open(ctx)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user create: %v\n", err)
		return 1
	}
	defer svc.Close()
	role := model.RoleCandidate
	if *admin {
		role = model.RoleAdmin
	}
	u, err := svc.Accounts.CreateUser(ctx, account.Registration{Name: *name, Email: *email, Password: password, State: *state}, role)
	var ve *account.ValidationError
	if errors.As(err, &ve) {
		for field, p := range ve.Fields {
			fmt.Fprintf(s.Err, "mxcert user create: %s: %s\n", field, problemText[p])
		}
		return 1
	}
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user create: %v\n", err)
		return 1
	}
	kind := "candidato"
	if u.IsAdmin() {
		kind = "administrador"
	}
	fmt.Fprintf(s.Out, "Cuenta creada: %s <%s> (%s)\n", u.Name, u.Email, kind)
	if generated {
		fmt.Fprintf(s.Out, "Contraseña generada (se muestra solo esta vez): %s\n", password)
	}
	if u.IsAdmin() {
		return enrolAdmin(ctx, svc, u.Email, "mxcert user create", s)
	}
	return 0
}

// readPassword takes the first line of standard input, or generates a
// password when there is none (an interactive terminal or empty input).
func readPassword(in io.Reader) (string, bool, error) {
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p, err := account.GeneratePassword()
			return p, true, err
		}
	}
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	if p := strings.TrimRight(line, "\r\n"); p != "" {
		return p, false, nil
	}
	p, err := account.GeneratePassword()
	return p, true, err
}

// problemText explains validation problems on the command line.
var problemText = map[account.Problem]string{
	account.NameLength:       "el nombre debe tener de 2 a 120 caracteres",
	account.NameCharacters:   "el nombre solo puede tener letras, espacios, guiones, puntos y apóstrofos",
	account.NameScripts:      "el nombre debe escribirse con un solo alfabeto (no mezcles, por ejemplo, letras latinas y cirílicas)",
	account.EmailInvalid:     "el correo no es válido",
	account.EmailTaken:       "ya existe una cuenta con ese correo",
	account.PasswordShort:    "la contraseña debe tener al menos 10 caracteres",
	account.PasswordLong:     "la contraseña puede tener como máximo 128 caracteres",
	account.PasswordCommon:   "la contraseña es de las más comunes",
	account.PasswordPersonal: "la contraseña no debe ser el nombre ni el correo",
	account.StateInvalid:     "el estado no es uno de los 32 de la República",
}

func runAccommodate(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("user accommodate", s)
	data := addDataFlags(fs)
	email := fs.String("email", "", "correo de la cuenta")
	extra := fs.Duration("extra", -1, "tiempo adicional por examen, como 30m o 1h (0 lo quita)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *email == "" || *extra < 0 {
		fmt.Fprintln(s.Err, "mxcert user accommodate: --email y --extra son obligatorios")
		return 2
	}
	svc, err := data.open(ctx)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user accommodate: %v\n", err)
		return 1
	}
	defer svc.Close()
	u, err := svc.Accounts.SetAccommodation(ctx, 0, *email, *extra)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(s.Err, "mxcert user accommodate: no hay ninguna cuenta con el correo %s\n", *email)
		return 1
	}
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user accommodate: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Out, "%s <%s>: %d minutos adicionales en los exámenes que empiece desde ahora\n", u.Name, u.Email, u.ExtraMinutes)
	return 0
}

// runResetPassword prints a single-use link to choose a new password, for
// the operator to give to a person who lost access to their mailbox (the
// link is not mailed). Audited.
func runResetPassword(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("user reset-password", s)
	data := addDataFlags(fs)
	email := fs.String("email", "", "correo de la cuenta")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *email == "" {
		fmt.Fprintln(s.Err, "mxcert user reset-password: --email es obligatorio")
		return 2
	}
	svc, err := data.open(ctx)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user reset-password: %v\n", err)
		return 1
	}
	defer svc.Close()
	link, u, err := svc.Accounts.IssueResetLink(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(s.Err, "mxcert user reset-password: no hay ninguna cuenta con el correo %s\n", *email)
		return 1
	}
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user reset-password: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Out, "Enlace para que %s <%s> elija una contraseña nueva (sirve una vez, durante %d minutos):\n%s\n",
		u.Name, u.Email, int(account.ResetTTL.Minutes()), link)
	if !strings.Contains(link, "://") {
		fmt.Fprintln(s.Out, "(Sin --base-url: antepón la dirección pública del sitio.)")
	}
	return 0
}
