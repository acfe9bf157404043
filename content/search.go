package content

import (
	"context"

	"github.com/switchboard-rtm/switchboard/search"
)

// NewIndex creates the site's search index (in memory) and adds every
// docs page of site in every language, with its description and headings
// weighted apart from its body. Forum topics join it later (kind "topic").
func NewIndex(ctx context.Context, site *Site) (*search.Index, error) {
	ix, err := search.NewMemory(ctx, Languages)
	if err != nil {
		return nil, err
	}
	if err := ix.Upsert(ctx, SearchDocs(site)...); err != nil {
		ix.Close()
		return nil, err
	}
	if err := ix.Optimize(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// SearchDocs is every page of site as search documents.
func SearchDocs(site *Site) []search.Doc {
	var docs []search.Doc
	for _, lang := range Languages {
		for _, p := range site.Pages(lang) {
			var heads []string
			for _, h := range p.TOC {
				heads = append(heads, h.Text)
			}
			docs = append(docs, search.Doc{Key: "doc:" + lang + "/" + p.Path, Kind: search.KindDoc, Lang: lang,
				Title: p.Title, Description: p.Description, Headings: heads, Body: p.Text, URL: p.URL()})
		}
	}
	return docs
}
