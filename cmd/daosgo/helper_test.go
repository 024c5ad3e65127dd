package main

import (
	"os"
	"os/exec"
)

// cliProcess returns the command running a daosgo command line in a
// process of its own, on the embedded engine rooted in dir: the test
// binary, which TestMain makes play daosgo when DAOSGO_TEST_AS_CLI is set.
func cliProcess(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"--engine", "embedded:" + dir}, args...)...)
	cmd.Env = append(os.Environ(), "DAOSGO_TEST_AS_CLI=1")
	return cmd
}
