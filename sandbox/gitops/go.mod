module sluice.dev/sandbox/gitops

go 1.25.0

require github.com/yuin/gopher-lua v1.1.2
