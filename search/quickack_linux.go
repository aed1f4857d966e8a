package search

import (
	"net"
	"syscall"
)

// quickAck asks the kernel to acknowledge the next segments at once.
// TCP_QUICKACK is not sticky, hence a call before every read.
func quickAck(c *net.TCPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
