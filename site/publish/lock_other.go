//go:build !unix

package publish

import (
	"fmt"
	"os"
)

// lockFolder opens the lock file; without flock on this system, two
// processes sharing a site folder are not detected.
func lockFolder(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock site folder: %w", err)
	}
	return f, nil
}
