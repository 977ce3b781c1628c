// Command mxcert-load measures MxOS Certificación under load: it starts the
// real server and raw ceilings as child processes, simulates candidates and
// employers, and prints Markdown tables. See docs/PERFORMANCE.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	_ "time/tzdata" // its child runs the real server, which shows dates in America/Mexico_City

	"mxcert/internal/loadtest"
)

func main() {
	content := "./content"
	if v := os.Getenv("MXCERT_CONTENT"); v != "" {
		content = v
	}
	if len(os.Args) > 1 && os.Args[1] == "__child" {
		if err := loadtest.Child(os.Args[2:], content); err != nil {
			fmt.Fprintln(os.Stderr, "mxcert-load child:", err)
			os.Exit(1)
		}
		return
	}
	cfg := loadtest.Default()
	flag.IntVar(&cfg.Candidates, "candidates", cfg.Candidates, "candidatos simulados (exámenes en curso al medir la memoria)")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "duración de cada medición de saturación")
	flag.IntVar(&cfg.Workers, "workers", cfg.Workers, "concurrencia de las mediciones de saturación")
	flag.IntVar(&cfg.SaveRate, "save-rate", cfg.SaveRate, "respuestas por segundo en la medición de latencia de S1")
	flag.IntVar(&cfg.Submits, "submits", cfg.Submits, "exámenes entregados en S3")
	flag.IntVar(&cfg.Verifies, "verify-rate", cfg.Verifies, "verificaciones por segundo en S5")
	flag.IntVar(&cfg.Listings, "listings", cfg.Listings, "anuncios del directorio en el escenario D")
	flag.StringVar(&cfg.ProfileDir, "profile", "", "carpeta donde guardar un perfil de CPU del servidor por escenario (go tool pprof); con PostgreSQL, también las sentencias más costosas de cada uno")
	flag.StringVar(&cfg.Database, "database", "sqlite", "base de datos: sqlite, postgres (un clúster desechable en una carpeta temporal, con los binarios de PostgreSQL instalados) o la URL postgres://… de una base vacía")
	flag.IntVar(&cfg.Replicas, "replicas", 0, "procesos del servidor que comparten la base, cada solicitud al siguiente (0: 1 con SQLite, 2 con PostgreSQL)")
	flag.Parse()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o750); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	cfg.Log = os.Stderr
	rep, err := loadtest.Run(ctx, self, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mxcert-load:", err)
		os.Exit(1)
	}
	rep.Markdown(os.Stdout)
}
