//go:build !unix

package main

import "errors"

// setMemoryCeiling is not available here: only DuckDB's own memory_limit
// bounds the worker.
func setMemoryCeiling(int64) error {
	return errors.New("an address-space ceiling needs a Unix system")
}
