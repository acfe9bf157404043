// Command gencal writes the China calendar year files that package sla embeds
// (sla/calendars/cn/<year>.json) from the official legal-holiday data held
// by github.com/6tail/lunar-go's HolidayUtil.
//
// It lives in its own module so that lunar-go never becomes a dependency of the
// product: the portal only reads the JSON files, and admins can drop newer ones
// into <data dir>/calendars without a new release.
//
// Usage, from this directory:
//
//	go run . -out ../../calendars/cn 2027
//
// A year for which lunar-go holds no data is reported and no file is written:
// the data must come from the State Council's notice, never from a guess.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// names maps lunar-go's Chinese holiday names to the names the State
// Council's notices use, in both languages.
var names = map[string]name{
	"元旦节":   {En: "New Year's Day", Zh: "元旦"},
	"春节":    {En: "Spring Festival", Zh: "春节"},
	"清明节":   {En: "Qingming Festival", Zh: "清明节"},
	"劳动节":   {En: "Labour Day", Zh: "劳动节"},
	"端午节":   {En: "Dragon Boat Festival", Zh: "端午节"},
	"中秋节":   {En: "Mid-Autumn Festival", Zh: "中秋节"},
	"国庆节":   {En: "National Day", Zh: "国庆节"},
	"国庆中秋":  {En: "National Day and Mid-Autumn Festival", Zh: "国庆节、中秋节"},
	"抗战胜利日": {En: "Victory Day", Zh: "中国人民抗日战争暨世界反法西斯战争胜利纪念日"},
}

type name struct {
	En string `json:"en"`
	Zh string `json:"zh"`
}

type holiday struct {
	Name name     `json:"name"`
	Off  []string `json:"off"`
	Work []string `json:"work,omitempty"`
}

type yearFile struct {
	Region   string    `json:"region"`
	Year     int       `json:"year"`
	Source   string    `json:"source"`
	Holidays []holiday `json:"holidays"`
}

func main() {
	out := flag.String("out", ".", "directory to write <year>.json into")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: gencal -out DIR YEAR...")
		os.Exit(2)
	}
	failed := false
	for _, arg := range flag.Args() {
		year, err := strconv.Atoi(arg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gencal: bad year %q\n", arg)
			os.Exit(2)
		}
		f, err := build(year)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gencal: %d: %v\n", year, err)
			failed = true
			continue
		}
		data, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			fmt.Fprintf(os.Stderr, "gencal: %d: %v\n", year, err)
			os.Exit(1)
		}
		path := filepath.Join(*out, strconv.Itoa(year)+".json")
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "gencal: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d holidays\n", path, len(f.Holidays))
	}
	if failed {
		os.Exit(1)
	}
}

// build collects every entry whose target holiday falls in year. Entries are
// keyed by day in lunar-go, and a notice for year Y may move days in late
// December of Y-1 or early January of Y+1, so the neighbouring years are
// scanned too.
func build(year int) (yearFile, error) {
	f := yearFile{Region: "cn", Year: year, Source: source()}
	index := map[string]int{} // name+target -> position in f.Holidays
	for y := year - 1; y <= year+1; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			if !strings.HasPrefix(h.GetTarget(), strconv.Itoa(year)+"-") {
				continue
			}
			n, ok := names[h.GetName()]
			if !ok {
				return f, fmt.Errorf("unknown holiday name %q", h.GetName())
			}
			key := h.GetName() + h.GetTarget()
			i, ok := index[key]
			if !ok {
				i = len(f.Holidays)
				index[key] = i
				f.Holidays = append(f.Holidays, holiday{Name: n})
			}
			if h.IsWork() {
				f.Holidays[i].Work = append(f.Holidays[i].Work, h.GetDay())
			} else {
				f.Holidays[i].Off = append(f.Holidays[i].Off, h.GetDay())
			}
		}
	}
	if len(f.Holidays) == 0 {
		return f, fmt.Errorf("lunar-go holds no holiday data for %d; wait for the State Council's notice and a lunar-go release", year)
	}
	return f, nil
}

func source() string {
	v := "unknown version"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/6tail/lunar-go" {
				v = d.Version
			}
		}
	}
	return "State Council notice on public holiday arrangements (国务院办公厅关于节假日安排的通知), via github.com/6tail/lunar-go " + v + " HolidayUtil"
}
