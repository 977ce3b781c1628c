package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"mxcert/internal/account"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

// runUserTOTP gives an administrator a new authenticator and new recovery
// codes at once: for the first administrator, and for one who lost both
// their phone and their codes. The previous ones stop working.
func runUserTOTP(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("user totp", s)
	data := addDataFlags(fs)
	email := fs.String("email", "", "correo de la cuenta de administrador")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *email == "" {
		fmt.Fprintln(s.Err, "mxcert user totp: --email es obligatorio")
		return 2
	}
	svc, err := data.open(ctx)
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert user totp: %v\n", err)
		return 1
	}
	defer svc.Close()
	return enrolAdmin(ctx, svc, *email, "mxcert user totp", s)
}

// enrolAdmin enrols a new authenticator for the administrator and prints
// what the person needs: the QR code, the secret, the otpauth URI and the
// recovery codes, shown only here.
func enrolAdmin(ctx context.Context, svc *services.Set, email, cmd string, s Streams) int {
	u, enr, codes, err := svc.Accounts.EnrolNow(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		fmt.Fprintf(s.Err, "%s: no hay ninguna cuenta con el correo %s\n", cmd, email)
		return 1
	case errors.Is(err, account.ErrNotAdmin):
		fmt.Fprintf(s.Err, "%s: la cuenta %s no es de administrador; solo la consola pide un segundo factor\n", cmd, email)
		return 1
	case err != nil:
		fmt.Fprintf(s.Err, "%s: %v\n", cmd, err)
		return 1
	}
	fmt.Fprintf(s.Out, "\nVerificación en dos pasos de %s <%s>\n", u.Name, u.Email)
	fmt.Fprintln(s.Out, "La consola pide, además de la contraseña, el código de 6 dígitos de una aplicación de")
	fmt.Fprintln(s.Out, "autenticación (FreeOTP, Aegis, Google Authenticator…). Agrega la cuenta escaneando este código QR:")
	printQR(s.Out, enr.URI)
	fmt.Fprintf(s.Out, "o escribiendo la clave %s (basada en tiempo, 6 dígitos, cada 30 segundos).\n", groupSecret(enr.Secret))
	fmt.Fprintf(s.Out, "Enlace otpauth: %s\n\n", enr.URI)
	fmt.Fprintln(s.Out, "Códigos de recuperación: cada uno sirve una sola vez para entrar sin el teléfono.")
	fmt.Fprintln(s.Out, "Guárdalos ahora (impresos o en un gestor de contraseñas): no se vuelven a mostrar.")
	for _, c := range codes {
		fmt.Fprintf(s.Out, "  %s\n", c)
	}
	return 0
}

// printQR draws the QR code with half blocks, light modules in the
// terminal's text color: it scans from a terminal with a dark background.
// The key and the link below it are the way when it does not.
func printQR(w io.Writer, text string) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return // the key and the link are printed anyway
	}
	fmt.Fprint(w, q.ToSmallString(false))
}

func groupSecret(s string) string {
	var parts []string
	for len(s) > 4 {
		parts, s = append(parts, s[:4]), s[4:]
	}
	return strings.Join(append(parts, s), " ")
}
