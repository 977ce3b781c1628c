package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"mxcert/internal/account"
	"mxcert/internal/app"
)

func runServe(ctx context.Context, args []string, s Streams) int {
	fs := newFlagSet("serve", s)
	cfg := app.Config{}
	fs.StringVar(&cfg.Addr, "addr", env("addr", "127.0.0.1:8080"), "dirección donde escucha el servidor (MXCERT_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("data", "./data"), "carpeta de datos: base de datos y llaves (MXCERT_DATA)")
	fs.StringVar(&cfg.Database, "database", "", "base de datos PostgreSQL (postgres://usuario@host/base) que comparten varios servidores; sin ella se usa el archivo SQLite de --data (MXCERT_DATABASE; mejor en el entorno, por la contraseña)")
	fs.StringVar(&cfg.ContentDir, "content", env("content", "./content"), "carpeta de contenido (MXCERT_CONTENT)")
	fs.StringVar(&cfg.BankDir, "bank", env("bank", ""), "carpeta aparte con los bancos de examen (BANK/<certificación>/questions/), p. ej. un repositorio privado; sin ella se usan los del contenido (MXCERT_BANK)")
	fs.StringVar(&cfg.BaseURL, "base-url", env("base-url", ""), "dirección pública del sitio, p. ej. https://certificacion.mxos.mx (MXCERT_BASE_URL)")
	proxies := fs.String("trusted-proxies", env("trusted-proxies", ""), "proxies de confianza separados por comas; ninguno por omisión (MXCERT_TRUSTED_PROXIES)")
	fs.StringVar(&cfg.ContactEmail, "contact-email", env("contact-email", ""), "correo de la Fundación que las páginas dan a quien necesita escribirle (MXCERT_CONTACT_EMAIL)")
	fs.StringVar(&cfg.ContentSourceURL, "content-source-url", env("content-source-url", ""), "dirección web de la carpeta de contenido en el repositorio, para enlazar cada pregunta desde la consola (MXCERT_CONTENT_SOURCE_URL)")
	fs.StringVar(&cfg.BankSourceURL, "bank-source-url", env("bank-source-url", ""), "lo mismo para las preguntas de --bank, en su propio repositorio (MXCERT_BANK_SOURCE_URL)")
	fs.StringVar(&cfg.KeyPath, "key", env("key", ""), "llave de firma Ed25519 de los certificados (MXCERT_KEY); por omisión DATA/keys/signing.key")
	fs.BoolVar(&cfg.AllowSharedKey, "allow-shared-key", env("allow-shared-key", "") == "1", "acepta una llave de firma que otros usuarios pueden leer (MXCERT_ALLOW_SHARED_KEY=1); sin esto se rechaza")
	// Read from the environment after parsing, not as the flag's default:
	// -h prints defaults, and this one holds a password.
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "servidor de correo: smtp://usuario:contraseña@host:587 (STARTTLS), smtps://…:465 (TLS) o smtp://localhost:25?tls=none; sin él, los mensajes se escriben en DATA/outbox (MXCERT_SMTP_URL; mejor en el entorno, por la contraseña)")
	fs.StringVar(&cfg.MailFrom, "mail-from", env("mail-from", ""), "remitente de los correos, p. ej. \"MxOS Certificación <no-responder@mxos.mx>\"; por omisión no-responder@ el host de --base-url (MXCERT_MAIL_FROM)")
	fs.BoolVar(&cfg.Dev, "dev", env("dev", "") == "1", "lee plantillas y archivos estáticos del disco en cada solicitud (MXCERT_DEV=1)")
	hashMemory := fs.String("hash-memory", env("hash-memory", strconv.Itoa(account.DefaultHashMemory>>20)), "MiB de memoria que pueden ocupar a la vez las comprobaciones de contraseñas (Argon2id, unos 19 MiB cada una) (MXCERT_HASH_MEMORY)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if cfg.SMTPURL == "" {
		cfg.SMTPURL = env("smtp-url", "")
	}
	if cfg.Database == "" {
		cfg.Database = env("database", "")
	}
	mib, err := strconv.ParseInt(*hashMemory, 10, 64)
	if err != nil || mib < 1 || mib > 1<<20 {
		fmt.Fprintf(s.Err, "mxcert serve: --hash-memory debe ser un número de MiB entre 1 y 1048576, no %q\n", *hashMemory)
		return 2
	}
	cfg.HashMemory = mib << 20
	if *proxies != "" {
		for _, p := range strings.Split(*proxies, ",") {
			cfg.TrustedProxies = append(cfg.TrustedProxies, strings.TrimSpace(p))
		}
	}
	if cfg.Dev {
		cfg.DevRoot = "."
	}
	log := slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(cfg, log)
	if err != nil {
		var ce *app.ContentError
		if errors.As(err, &ce) {
			fmt.Fprintln(s.Err, "mxcert serve: el contenido tiene errores; corrígelos (mxcert lint) y vuelve a iniciar:")
			for _, f := range ce.Report.Errors() {
				fmt.Fprintln(s.Err, "  "+f.String())
			}
			return 1
		}
		fmt.Fprintf(s.Err, "mxcert serve: %v\n", err)
		return 1
	}
	if v := a.Catalog().Versions(); v.Bank != "" {
		fmt.Fprintf(s.Out, "MxOS Certificación en %s (contenido %s, banco %s)\n", a.URL(), v.Content, v.Bank)
	} else {
		fmt.Fprintf(s.Out, "MxOS Certificación en %s (contenido %s)\n", a.URL(), v.Content)
	}
	if err := a.Run(ctx); err != nil {
		fmt.Fprintf(s.Err, "mxcert serve: %v\n", err)
		return 1
	}
	return 0
}
