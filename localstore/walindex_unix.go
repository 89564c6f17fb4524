//go:build unix

package localstore

import (
	"encoding/binary"
	"errors"
	"os"
	"syscall"
)

// walIndexVersion is the WAL index format SQLite writes (iVersion).
const walIndexVersion = 3007000

// mapWALIndex maps the first page of a WAL index (-shm) file read-only,
// once SQLite has initialised its header. Reading a mapping past the end
// of its file faults, so the file must hold the whole header; SQLite only
// truncates it when no connection has it open, and the caller keeps one.
func mapWALIndex(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	const size = 4096
	if st.Size() < size {
		return nil, errors.New("wal index shorter than a page")
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	// iVersion (offset 0) and isInit (offset 12), in native byte order.
	if binary.NativeEndian.Uint32(b[0:4]) != walIndexVersion || b[12] != 1 {
		syscall.Munmap(b)
		return nil, errors.New("wal index header not initialised")
	}
	return b, nil
}

func unmapWALIndex(b []byte) { syscall.Munmap(b) }
