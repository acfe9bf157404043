package sla

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed calendars
var embeddedCalendars embed.FS

// EmbeddedCalendars returns the calendar files built into the binary, laid
// out as <region>/<year>.json (China: cn/2025.json to cn/2027.json).
func EmbeddedCalendars() fs.FS {
	sub, err := fs.Sub(embeddedCalendars, "calendars")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Registry holds the calendars of every region. It is immutable and safe for
// concurrent use.
type Registry struct {
	calendars map[string]*Calendar
}

// LoadCalendars reads every <region>/<year>.json from embedded, then from
// overrideDir on disk, where a file replaces the embedded file for the same
// region and year and a new year or region is added. This is how admins
// install a newly announced year without a new release.
//
// An empty overrideDir, or one that does not exist, means no overrides.
// Files not ending in .json, hidden files and files at the top level are
// ignored. A bad file is an error naming it and wrapping ErrInvalidCalendar;
// nothing is loaded then, so a typo never silently drops a holiday.
func LoadCalendars(embedded fs.FS, overrideDir string) (*Registry, error) {
	files := map[string]map[int]YearFile{}
	if embedded != nil {
		if err := readCalendarTree(embedded, "embedded", files); err != nil {
			return nil, fmt.Errorf("load calendars: %w", err)
		}
	}
	if overrideDir != "" {
		st, err := os.Stat(overrideDir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("load calendars: %w", err)
		case !st.IsDir():
			return nil, fmt.Errorf("load calendars: %s is not a directory", overrideDir)
		default:
			if err := readCalendarTree(os.DirFS(overrideDir), overrideDir, files); err != nil {
				return nil, fmt.Errorf("load calendars: %w", err)
			}
		}
	}
	r := &Registry{calendars: map[string]*Calendar{}}
	for region, byYear := range files {
		var list []YearFile
		for _, f := range byYear {
			list = append(list, f)
		}
		c, err := NewCalendar(region, list...)
		if err != nil {
			return nil, fmt.Errorf("load calendars: %w", err)
		}
		r.calendars[region] = c
	}
	return r, nil
}

// readCalendarTree adds every <region>/<year>.json in fsys to files,
// replacing what is there for the same region and year.
func readCalendarTree(fsys fs.FS, label string, files map[string]map[int]YearFile) error {
	regions, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	for _, rd := range regions {
		if !rd.IsDir() || strings.HasPrefix(rd.Name(), ".") {
			continue
		}
		region := rd.Name()
		entries, err := fs.ReadDir(fsys, region)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
				continue
			}
			p := path.Join(region, name)
			where := label + ": " + p
			year, err := strconv.Atoi(strings.TrimSuffix(name, ".json"))
			if err != nil {
				return fmt.Errorf("%s: %w: file name must be <year>.json", where, ErrInvalidCalendar)
			}
			data, err := readLimited(fsys, p)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			f, err := ParseYearFile(data)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if f.Region != region || f.Year != year {
				return fmt.Errorf("%s: %w: content is for %s %d", where, ErrInvalidCalendar, f.Region, f.Year)
			}
			if files[region] == nil {
				files[region] = map[int]YearFile{}
			}
			files[region][year] = f
		}
	}
	return nil
}

// readLimited reads a file, refusing one over MaxCalendarFileSize without
// reading all of it.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCalendarFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCalendarFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidCalendar, MaxCalendarFileSize)
	}
	return data, nil
}

// Calendar returns the calendar of region, or nil (an empty calendar) when
// there is none.
func (r *Registry) Calendar(region string) *Calendar {
	if r == nil {
		return nil
	}
	return r.calendars[region]
}

// Regions returns the regions that have calendars, in order.
func (r *Registry) Regions() []string {
	if r == nil {
		return nil
	}
	rs := make([]string, 0, len(r.calendars))
	for k := range r.calendars {
		rs = append(rs, k)
	}
	slices.Sort(rs)
	return rs
}
