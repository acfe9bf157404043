#!/bin/sh
# The "new project" step of the Go quick-start, command for command. The
# docs include the lines between the region markers; newproject_test.go
# runs this script in an empty directory holding main.go, with SWITCHBOARD
# set to this checkout and WS_URL and TOKEN to a real engine, and compares
# what it prints with want.txt.
set -eu

# [START newproject]
go mod init example.com/chat
go mod edit -replace github.com/switchboard-rtm/switchboard/engine/client="$SWITCHBOARD/engine/client"
go get github.com/switchboard-rtm/switchboard/engine/client@v0.2.0
go mod tidy
go run . "$WS_URL" "$TOKEN"
# [END newproject]
