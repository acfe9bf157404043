package content

import (
	"bytes"
	"fmt"
	"math"
	"sort"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

// Code backgrounds of the two themes. The stylesheet defines --code-bg from
// them, so the colours checked for contrast here are the ones pages show.
const (
	CodeBgLight = 0xf5f7fb
	CodeBgDark  = 0x161d27
)

// minContrast is WCAG AA for normal text.
const minContrast = 4.5

// HighlightCSS returns the stylesheet for highlighted code: one rule per
// token class, its colour a light-dark() pair of GitHub's light and dark
// styles, so the page's color-scheme (the reader's system setting or the
// theme toggle) picks the colour. Every class gets both colours: a class one
// style leaves unset would otherwise keep the other theme's colour (dark
// names on a dark background). Colours too faint for their background are
// darkened or lightened until they reach 4.5:1.
func HighlightCSS() []byte {
	light, dark := styles.Get("github"), styles.Get("github-dark")
	lightFg := colourOr(light.Get(chroma.Text).Colour, 0x1f2328)
	darkFg := colourOr(dark.Get(chroma.Text).Colour, 0xe6edf3)
	var b bytes.Buffer
	fmt.Fprintf(&b, ":root { --code-bg: light-dark(#%06x, #%06x); }\n", CodeBgLight, CodeBgDark)
	fmt.Fprintf(&b, ".chroma { color: light-dark(%s, %s); }\n", cssHex(readable(lightFg, CodeBgLight)), cssHex(readable(darkFg, CodeBgDark)))
	type rule struct{ class, css string }
	var rules []rule
	for tt, class := range chroma.StandardTypes {
		if tt < 0 || class == "" || tt == chroma.Text || tt == chroma.Background {
			continue // structural classes (lines, wrappers) and plain text
		}
		l, d := light.Get(tt), dark.Get(tt)
		css := fmt.Sprintf("color: light-dark(%s, %s)", cssHex(readable(colourOr(l.Colour, lightFg), CodeBgLight)), cssHex(readable(colourOr(d.Colour, darkFg), CodeBgDark)))
		if l.Bold == chroma.Yes {
			css += "; font-weight: bold"
		}
		if l.Italic == chroma.Yes {
			css += "; font-style: italic"
		}
		rules = append(rules, rule{class, css})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].class < rules[j].class })
	for _, r := range rules {
		fmt.Fprintf(&b, ".chroma .%s { %s }\n", r.class, r.css)
	}
	return b.Bytes()
}

func colourOr(c chroma.Colour, def int) int {
	if !c.IsSet() {
		return def
	}
	return int(c.Red())<<16 | int(c.Green())<<8 | int(c.Blue())
}

func cssHex(rgb int) string { return fmt.Sprintf("#%06x", rgb) }

// readable moves fg towards black or white, whichever the background is
// further from, until it has minContrast against bg.
func readable(fg, bg int) int {
	towards := 0x000000
	if luminance(bg) < 0.5 {
		towards = 0xffffff
	}
	for i := 0; i < 20 && contrast(fg, bg) < minContrast; i++ {
		fg = mix(fg, towards, 0.05)
	}
	return fg
}

func mix(a, b int, t float64) int {
	ch := func(shift uint) int {
		x, y := float64(a>>shift&0xff), float64(b>>shift&0xff)
		return int(math.Round(x + (y-x)*t))
	}
	return ch(16)<<16 | ch(8)<<8 | ch(0)
}

// contrast is the WCAG 2 contrast ratio of two sRGB colours.
func contrast(a, b int) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(rgb int) float64 {
	lin := func(v int) float64 {
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(rgb>>16&0xff) + 0.7152*lin(rgb>>8&0xff) + 0.0722*lin(rgb&0xff)
}
