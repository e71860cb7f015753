// Command kstatus prints, for each Kubernetes object given as a JSON array on standard input, the
// status that sigs.k8s.io/cli-utils' kstatus computes: the rules Flux's health checks (and
// `kubectl wait --for` style tools built on kstatus) apply. Used by hubops' tests only.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	var objects []json.RawMessage
	if err := json.NewDecoder(os.Stdin).Decode(&objects); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus: reading objects:", err)
		os.Exit(2)
	}
	results := make([]map[string]string, 0, len(objects))
	for _, raw := range objects {
		// The unstructured decoder keeps integers as int64, which kstatus's accessors expect.
		object := &unstructured.Unstructured{}
		if err := object.UnmarshalJSON(raw); err != nil {
			fmt.Fprintln(os.Stderr, "kstatus: decoding an object:", err)
			os.Exit(2)
		}
		result, err := status.Compute(object)
		if err != nil {
			fmt.Fprintln(os.Stderr, "kstatus:", err)
			os.Exit(1)
		}
		results = append(results, map[string]string{"status": result.Status.String(), "message": result.Message})
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		os.Exit(1)
	}
}
