package testenv

import "syscall"

// procAttr makes a child process die with the test binary, so that a test
// that panics or times out leaves no Meilisearch behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
