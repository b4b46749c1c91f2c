//go:build !unix

package harness

import (
	"errors"
	"os"
)

// lockFile fails where flock(2) does not exist, so that a Store is never
// shared without the lock it relies on.
func lockFile(f *os.File, exclusive bool) error {
	return errors.New("file locks are implemented for Unix systems only")
}

func unlockFile(f *os.File) error { return nil }
