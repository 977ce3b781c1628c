package loadtest

import "os"

func readFile(path string) (string, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- /proc files
	return string(data), err
}
