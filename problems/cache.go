package problems

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"opscale/internal/atomicfile"
)

// cacheMagic opens every cache file; the digit is the format version.
const cacheMagic = "OPSCALE-DATASET-1\n"

// CacheStatus says where a dataset from the cache came from.
type CacheStatus int

const (
	// CacheHit: read from a valid cache file.
	CacheHit CacheStatus = iota
	// CacheMiss: generated and stored, there was no cache file.
	CacheMiss
	// CacheRepaired: the cache file was damaged; the dataset was generated
	// again and the file replaced.
	CacheRepaired
)

func (s CacheStatus) String() string {
	return [...]string{"hit", "miss", "repaired"}[s]
}

// Cache stores generated datasets as files in Dir, one per (spec, n, seed,
// split, sigma). Files are written atomically and carry their key and a
// SHA-256 checksum, so a truncated, corrupted or foreign file is detected and
// replaced rather than trusted.
type Cache struct {
	Dir string
}

// Key identifies a dataset: every input of Generate. Operators and families
// name all their parameters.
func (s Spec) Key(n int, seed uint64, split Split, sigma float64) string {
	return fmt.Sprintf("op=%s;family=%s;sensors=%d;points=%d;n=%d;seed=%d;split=%d;sigma=%v",
		s.Operator.Name(), s.Family.Name(), s.Sensors, s.Points, n, seed, split, sigma)
}

// Path returns the file that holds the dataset with the given key.
func (c Cache) Path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:12])+".dataset")
}

// Generate returns the dataset Generate would, reading it from the cache
// when a valid file holds it and storing it otherwise.
func (c Cache) Generate(s Spec, n int, seed uint64, split Split, sigma float64) (*Dataset, CacheStatus, error) {
	if err := s.Validate(); err != nil {
		return nil, 0, err
	}
	key := s.Key(n, seed, split, sigma)
	path := c.Path(key)
	status := CacheMiss
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		ds, derr := decodeDataset(raw, key)
		if derr == nil {
			return ds, CacheHit, nil
		}
		status = CacheRepaired
	case !errors.Is(err, fs.ErrNotExist):
		return nil, 0, fmt.Errorf("problems: dataset cache: %w", err)
	}
	ds, err := Generate(s, n, seed, split, sigma)
	if err != nil {
		return nil, 0, err
	}
	if err := atomicfile.WriteFile(path, encodeDataset(ds, key)); err != nil {
		return nil, 0, fmt.Errorf("problems: dataset cache: %w", err)
	}
	return ds, status, nil
}

// encodeDataset lays out magic, key length and key, the five sizes, the four
// matrices (little-endian float64) and the SHA-256 of all that precedes it.
func encodeDataset(ds *Dataset, key string) []byte {
	var b bytes.Buffer
	b.WriteString(cacheMagic)
	binary.Write(&b, binary.LittleEndian, uint32(len(key)))
	b.WriteString(key)
	for _, v := range []int{ds.N, ds.M, ds.P, ds.D1, ds.D2} {
		binary.Write(&b, binary.LittleEndian, uint64(v))
	}
	buf := make([]byte, 8)
	for _, m := range [][]float64{ds.X, ds.U, ds.Y, ds.V} {
		for _, v := range m {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(v))
			b.Write(buf)
		}
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes()
}

// decodeDataset checks and reads a cache file; any damage is an error.
func decodeDataset(raw []byte, key string) (*Dataset, error) {
	if len(raw) < len(cacheMagic)+4+40+sha256.Size || string(raw[:len(cacheMagic)]) != cacheMagic {
		return nil, errors.New("not a dataset cache file")
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch")
	}
	p := body[len(cacheMagic):]
	kl := int(binary.LittleEndian.Uint32(p))
	p = p[4:]
	if kl > len(p) || string(p[:kl]) != key {
		return nil, errors.New("file holds another dataset")
	}
	p = p[kl:]
	if len(p) < 40 {
		return nil, errors.New("truncated sizes")
	}
	var sz [5]int
	for i := range sz {
		v := binary.LittleEndian.Uint64(p[8*i:])
		if v > 1<<40 {
			return nil, errors.New("implausible size")
		}
		sz[i] = int(v)
	}
	p = p[40:]
	ds := &Dataset{N: sz[0], M: sz[1], P: sz[2], D1: sz[3], D2: sz[4]}
	lens := []int{ds.M * ds.D1, ds.N * ds.M, ds.P * ds.D2, ds.N * ds.P}
	total := 0
	for _, l := range lens {
		total += l
	}
	if len(p) != 8*total {
		return nil, errors.New("data length does not match the sizes")
	}
	mats := make([][]float64, 4)
	for i, l := range lens {
		mats[i] = make([]float64, l)
		for j := range mats[i] {
			mats[i][j] = math.Float64frombits(binary.LittleEndian.Uint64(p))
			p = p[8:]
		}
	}
	ds.X, ds.U, ds.Y, ds.V = mats[0], mats[1], mats[2], mats[3]
	return ds, nil
}
