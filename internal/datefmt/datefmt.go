// Package datefmt writes dates the way people read them in Spanish
// ("28 de noviembre de 2026") and English. Go's time.Format only knows
// English month names.
package datefmt

import (
	"fmt"
	"time"
)

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// Spanish writes a date as "28 de noviembre de 2026".
func Spanish(t time.Time) string {
	return fmt.Sprintf("%d de %s de %d", t.Day(), monthsES[t.Month()-1], t.Year())
}

// English writes a date as "November 28, 2026".
func English(t time.Time) string { return t.Format("January 2, 2006") }
