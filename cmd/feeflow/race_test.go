//go:build race

package main

// raceDetector: the race detector reserves far more address space than a
// worker's ceiling allows, so under it workers run without one.
const raceDetector = true
