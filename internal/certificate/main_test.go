package certificate

import (
	"testing"

	"mxcert/internal/pgtest"
)

// TestMain stops the PostgreSQL test cluster, if the run started one.
func TestMain(m *testing.M) { pgtest.Main(m) }
