package analytics_test

import (
	"os"
	"testing"
)

// tempDir holds the shared generated data set; TestMain removes it.
var sharedDir string

func tempDir() (string, error) {
	d, err := os.MkdirTemp("", "feeflow-analytics-")
	sharedDir = d
	return d, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.store != nil {
		generated.store.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}
