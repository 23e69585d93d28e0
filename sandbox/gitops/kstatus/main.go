// kstatus computes a Kubernetes object's status as kstatus (sigs.k8s.io/cli-utils/pkg/kstatus) does
// for Flux's health checks and `kpt live status`: InProgress, Failed, Current or Terminating, from
// metadata.generation, status.observedGeneration and the Reconciling, Stalled and Ready conditions.
//
//	kstatus < object.json   # prints {"status":"Current","message":"Resource is Ready"}
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var object unstructured.Unstructured
	// The unstructured decoder keeps integers as int64, as kstatus's accessors expect.
	if err := object.UnmarshalJSON(input); err != nil {
		fail(fmt.Errorf("object on stdin: %w", err))
	}
	result, err := status.Compute(&object)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"status": result.Status.String(), "message": result.Message}); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
