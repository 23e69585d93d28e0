// Command etcd is etcd's own server main (go.etcd.io/etcd/server/v3/etcdmain) at the release that
// this module's k8s.io/kubernetes requires, so the API server and its store are built as one tested pair.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
