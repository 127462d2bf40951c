"""Development tools (benchmarks, screenshots): not part of the build, never inputs to it."""
