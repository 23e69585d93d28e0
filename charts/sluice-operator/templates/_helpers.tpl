{{/* Names and labels shared by every object of the chart. */}}

{{- define "sluice-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object's name: fullnameOverride, else the release name with the chart name
appended, unless one already contains the other (`helm install sluice` gives sluice-operator).
*/}}
{{- define "sluice-operator.fullname" -}}
{{- $name := include "sluice-operator.name" . -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Release.Name $name -}}
{{- $name -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sluice-operator.leaseName" -}}
{{- default (printf "%s-leader" (include "sluice-operator.fullname" .)) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "sluice-operator.operatorKeySecretName" -}}
{{- printf "%s-operator-key" (include "sluice-operator.fullname" .) -}}
{{- end -}}

{{- define "sluice-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sluice-operator.labels" -}}
{{ include "sluice-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "sluice-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sluice-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Every permission the operator has on the namespaces it watches, in one place: exactly the verbs its
code uses. The operator's e2e tests compare these rules with every request it makes, as the real API
server's audit log records them; change both together.
- streamjobs: informer (list, watch), a fresh read after a conflict (get), finalizer add/remove (a
  merge patch); never spec, and no update (the API server's audit log of the e2e tests shows none).
- streamjobs/status: update (a PUT with the resourceVersion), the only way it writes status; it never
  reads or patches the subresource. streamjobs/finalizers: ownerReferences with blockOwnerDeletion on
  clusters that enforce it.
- pods, services, configmaps: what it creates for each StreamJob; informers on them. Pods are
  created and deleted (immutable); ConfigMaps and Services are converged by server-side apply
  (patch), which Kubernetes authorizes as create when the object does not exist yet.
- secrets: create and delete only: each run's key Secret. Never get, list or watch: the operator
  derives a run's key from its own key (mounted from its namespace by the kubelet, no RBAC needed)
  and learns of a missing credentialsSecret from the pods (CreateContainerConfigError).
- events: one per transition.
- networkpolicies (with networkPolicy.enabled): two per StreamJob, converged like Services.
*/}}
{{- define "sluice-operator.rules" -}}
- apiGroups: [sluice.dev]
  resources: [streamjobs]
  verbs: [get, list, watch, patch]
- apiGroups: [sluice.dev]
  resources: [streamjobs/status]
  verbs: [update]
- apiGroups: [sluice.dev]
  resources: [streamjobs/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch, create, delete]
- apiGroups: [""]
  resources: [services, configmaps]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [secrets]
  verbs: [create, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- if .Values.networkPolicy.enabled }}
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch, create, patch, delete]
{{- end }}
{{- end -}}

{{/* Leader election: one Lease in the release namespace, nothing else (create cannot be limited by name). */}}
{{- define "sluice-operator.leaderElectionRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [create]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  resourceNames: [{{ include "sluice-operator.leaseName" . | quote }}]
  verbs: [get, update]
{{- end -}}

{{/*
The ValidatingAdmissionPolicy and its binding are cluster-scoped: named after the release and its
namespace, so that releases of the same name in two namespaces do not collide.
*/}}
{{- define "sluice-operator.admissionPolicyName" -}}
{{- printf "%s-pod-template.%s" (include "sluice-operator.fullname" .) .Release.Namespace -}}
{{- end -}}
