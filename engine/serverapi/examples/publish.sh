#!/bin/sh
# Publishes one message through the server API. The docs include the lines
# between the region markers; docs_example_test.go runs this script with
# curl against a real server. Set SWITCHBOARD_URL and SWITCHBOARD_API_KEY.
set -eu

# [START publish]
curl -sS -X POST "$SWITCHBOARD_URL/v1/api/publish" \
  -H "Authorization: Bearer $SWITCHBOARD_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"channel": "news", "data": {"text": "hello from the backend"}, "idempotency_key": "news-2026-12-02-1"}'
# [END publish]
