// argocd-health runs a resource health check the way Argo CD runs one from argocd-cm
// (resource.customizations.health.<group>_<kind>, without useOpenLibs): gopher-lua with the standard
// libraries skipped except package, base, table and an os holding only time and date, a one-second
// deadline, the object as the global `obj`; the returned table's status must be one of Argo CD's
// health codes, else the health is Unknown.
//
//	argocd-health health.lua < object.json   # prints {"status":"Healthy","message":"..."}
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type health struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

var codes = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: argocd-health <health.lua> < object.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var object map[string]any
	if err := json.NewDecoder(os.Stdin).Decode(&object); err != nil {
		fail(fmt.Errorf("object on stdin: %w", err))
	}
	result, err := run(string(script), object)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		fail(err)
	}
}

func run(script string, object map[string]any) (health, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for name, open := range map[string]lua.LGFunction{lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable, lua.OsLibName: openTimeOnlyOs} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return health{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, object))
	if err := L.DoString(script); err != nil {
		return health{}, err
	}
	table, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return health{}, fmt.Errorf("expect table output from Lua script, not %s", L.Get(-1).Type())
	}
	result := health{Status: lua.LVAsString(table.RawGetString("status")), Message: lua.LVAsString(table.RawGetString("message"))}
	if !codes[result.Status] {
		return health{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return result, nil
}

// openTimeOnlyOs is Argo CD's "safe" os library: only gopher-lua's own os.time and os.date (Argo CD
// copies them), nothing that touches the process or files.
func openTimeOnlyOs(L *lua.LState) int {
	full := lua.NewState()
	defer full.Close()
	os := full.GetGlobal(lua.OsLibName).(*lua.LTable)
	mod := L.NewTable()
	for _, name := range []string{"time", "date"} {
		fn := os.RawGetString(name).(*lua.LFunction)
		mod.RawSetString(name, L.NewFunction(fn.GFunction))
	}
	L.SetGlobal(lua.OsLibName, mod)
	L.Push(mod)
	return 1
}

// toLua converts decoded JSON as Argo CD does: numbers to Lua numbers, objects and arrays to tables, null to nil.
func toLua(L *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		table := L.CreateTable(len(v), 0)
		for _, item := range v {
			table.Append(toLua(L, item))
		}
		return table
	case map[string]any:
		table := L.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(L, item))
		}
		return table
	default:
		return lua.LNil
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
