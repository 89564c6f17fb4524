//go:build !unix

package localstore

import "errors"

// mapWALIndex is unavailable here: the token cache reads data_version.
func mapWALIndex(string) ([]byte, error) { return nil, errors.New("no mmap") }

func unmapWALIndex([]byte) {}
