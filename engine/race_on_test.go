//go:build race

package engine_test

// raceEnabled: the race detector enlarges stacks and heap, so memory
// budgets are only logged, not enforced.
const raceEnabled = true
