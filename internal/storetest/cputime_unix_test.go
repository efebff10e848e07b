//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used, user and system:
// unlike the time on the clock, it barely grows while other programs on
// the machine keep the processor busy, so a benchmark on a shared machine
// can still compare two ways of doing the same work. On SQLite it covers
// the database's work too; PostgreSQL's is in its own processes.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
