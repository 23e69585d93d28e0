// celcompile compiles the CEL of a ValidatingAdmissionPolicy (JSON on stdin) as a Kubernetes API
// server of the given minor version compiles new expressions: in the CEL environment of the version
// before it (its minimum compatibility version), so that a library newer than that server is refused.
// The sandbox's API server shows only what v1.35.4 accepts; this shows what older ones would.
//
//	go run ./celcompile 1.30 < policy.json   # prints each expression that does not compile; exit 1 if any
package main

import (
	"encoding/json"
	"fmt"
	"os"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/environment"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: celcompile <server minor version, e.g. 1.30> < policy.json")
		os.Exit(2)
	}
	server := version.MustParseGeneric(os.Args[1])
	compat := version.MajorMinor(server.Major(), server.Minor()-1)
	var policy admissionregistrationv1.ValidatingAdmissionPolicy
	if err := json.NewDecoder(os.Stdin).Decode(&policy); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	envSet := environment.MustBaseEnvSet(compat)
	opts := plugincel.OptionalVariableDeclarations{HasParams: policy.Spec.ParamKind != nil}
	failed := 0
	report := func(what string, result plugincel.CompilationResult) {
		if result.Error != nil {
			failed++
			fmt.Printf("%s: %v\n", what, result.Error)
		}
	}
	// matchConditions are compiled apart from the variables, as the API server does.
	matches, err := plugincel.NewCompositedCompiler(envSet)
	if err != nil {
		panic(err)
	}
	for _, m := range policy.Spec.MatchConditions {
		report("matchCondition "+m.Name, matches.CompileCELExpression(&validating.ValidationCondition{Expression: m.Expression}, opts, environment.NewExpressions))
	}
	compiler, err := plugincel.NewCompositedCompiler(envSet)
	if err != nil {
		panic(err)
	}
	for _, v := range policy.Spec.Variables {
		report("variable "+v.Name, compiler.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, opts, environment.NewExpressions))
	}
	for i, v := range policy.Spec.Validations {
		report(fmt.Sprintf("validation %d expression", i), compiler.CompileCELExpression(&validating.ValidationCondition{Expression: v.Expression}, opts, environment.NewExpressions))
		if v.MessageExpression != "" {
			report(fmt.Sprintf("validation %d messageExpression", i), compiler.CompileCELExpression(&validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}, opts, environment.NewExpressions))
		}
	}
	total := len(policy.Spec.MatchConditions) + len(policy.Spec.Variables) + len(policy.Spec.Validations)
	fmt.Printf("%s: CEL of %d matchConditions, variables and validations compiled as Kubernetes %s does (environment %s): %d failed\n", policy.Name, total, server, compat, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
