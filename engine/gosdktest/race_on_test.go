//go:build race

package gosdktest_test

const raceEnabled = true
