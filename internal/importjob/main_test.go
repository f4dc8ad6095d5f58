package importjob_test

import (
	"testing"

	"bulletin/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
