//go:build unix

package main

import "syscall"

// setMemoryCeiling caps the process's address space: past it, DuckDB's
// allocations fail with an out-of-memory error instead of the machine
// swapping or the kernel killing a neighbour.
func setMemoryCeiling(bytes int64) error {
	lim := &syscall.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	return syscall.Setrlimit(syscall.RLIMIT_AS, lim)
}
