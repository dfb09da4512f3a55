//go:build unix

package publish

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockFolder takes an exclusive flock on name, held as long as the returned
// file stays open (the kernel releases it when the process dies), and
// writes this process's ID into it for the message another process reads.
func lockFolder(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock site folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another feeflow process"
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b[:n]))); perr == nil && pid > 0 {
				who = fmt.Sprintf("another feeflow process (PID %d)", pid)
			}
			return nil, fmt.Errorf("site folder %s is published by %s: give each server its own --site folder, or stop that one first", strings.TrimSuffix(name, "/"+lockFile), who)
		}
		return nil, fmt.Errorf("lock site folder: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}
