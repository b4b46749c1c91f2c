// Package atomicfile writes whole files so that a reader sees either the old
// file or the new one, never a part: the data goes to a synced temporary file
// in the same folder, which is then renamed over the target. Rename is atomic
// only within one file system, hence the same folder.
package atomicfile
