package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/switchboard-rtm/switchboard/content"
)

// i18nStatus prints every missing or outdated translation with the
// source_hash the translator should record. With -check it fails when
// there is any, for CI.
func i18nStatus(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("i18n-status", flag.ContinueOnError)
	check := fs.Bool("check", false, "exit with an error when any translation is missing or outdated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	site, err := content.Load(content.Docs(), content.NewDocsRenderer(includes(), nil))
	if err != nil {
		return err
	}
	issues := site.TranslationReport()
	if len(issues) == 0 {
		fmt.Fprintln(stdout, "All translations are present and up to date.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tFILE\tSOURCE_HASH\tTRANSLATED_FROM")
	for _, is := range issues {
		have := is.Have
		if have == "" {
			have = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", is.Translation, is.File, is.Want, have)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d translation(s) need work. Record source_hash in the front matter of each translated file.\n", len(issues))
	if *check {
		return fmt.Errorf("%d translation(s) missing or outdated", len(issues))
	}
	return nil
}
