package main

import "embed"

// includeFS holds the source files that docs code blocks include with
// file=..., so the code in the docs is the code the tests compile and run.
// Add a pattern here when a docs page includes a new file.
//
//go:embed engine/gosdktest/quickstart_example_test.go
//go:embed engine/gosdktest/docs_example_test.go
//go:embed engine/gosdktest/testdata/newproject/main.go engine/gosdktest/testdata/newproject/newproject.sh engine/gosdktest/testdata/newproject/want.txt
//go:embed engine/token_example_test.go
//go:embed engine/jssdk/examples/quickstart.js
//go:embed engine/jssdk/testdata/newproject/app.mjs engine/jssdk/testdata/newproject/newproject.sh engine/jssdk/testdata/newproject/want.txt
//go:embed webhooks/examples/receiver.go webhooks/examples/receiver.mjs
//go:embed search/data/synonyms.txt
//go:embed engine/serverapi/docs_example_test.go
//go:embed engine/serverapi/examples/publish.sh
var includeFS embed.FS
