#!/bin/sh
# The "new project" step of the JavaScript quick-start, command for
# command. The docs include the lines between the region markers;
# newproject_test.go runs this script in an empty directory holding
# app.mjs, with SWITCHBOARD set to this checkout and WS_URL and TOKEN to a
# real engine, and checks that it ends by printing want.txt.
set -eu

# [START newproject]
npm init -y
npm pkg set type=module
npm pack "$SWITCHBOARD/engine/jssdk"
npm install ./switchboard-rtm-js-0.2.0.tgz
node app.mjs "$WS_URL" "$TOKEN"
# [END newproject]
