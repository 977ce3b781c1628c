package cli

import (
	"testing"

	"mxcert/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
