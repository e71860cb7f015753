{{/*
Names, labels and checks shared by the templates. The full name is the release name unless it
already holds the chart name; the ServiceAccount, Lease and RBAC objects are named after it.
*/}}
{{- define "hubops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hubops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hubops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hubops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hubops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hubops.labels" -}}
helm.sh/chart: {{ include "hubops.chart" . }}
{{ include "hubops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: hubops
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "hubops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hubops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hubops.leaseName" -}}
{{- default (include "hubops.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "hubops.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret holding the hub token and its key: the chart's own when hub.token.value is set. */}}
{{- define "hubops.tokenSecretName" -}}
{{- if .Values.hub.token.value }}
{{- printf "%s-hub-token" (include "hubops.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- required "hub.token.existingSecret (or hub.token.value) is required: the operator needs the hub service token" .Values.hub.token.existingSecret }}
{{- end }}
{{- end }}

{{- define "hubops.tokenSecretKey" -}}
{{- if .Values.hub.token.value }}token{{ else }}{{ required "hub.token.existingSecretKey is required" .Values.hub.token.existingSecretKey }}{{ end }}
{{- end }}

{{/*
A tenancy list as the operator's ALLOWED_NAMESPACES, ADMIN_NAMESPACES or ADOPTION_NAMESPACES
spells it: the names joined by commas ("*" for every namespace), or, for an empty list, the
release namespace alone. Never empty, so the operator's local-run default (every namespace)
cannot apply in a cluster. Called with (list $root $values).
*/}}
{{- define "hubops.namespaces" -}}
{{- $root := index . 0 }}
{{- $names := index . 1 }}
{{- if $names }}{{ join "," $names }}{{ else }}{{ $root.Release.Namespace }}{{ end }}
{{- end }}

{{/*
"true" when the chart's Hub object is rendered: hubObject.enabled, and the operator sees the
release namespace (it watches every namespace, or that one), since a Hub and its token Secret
live there. Empty otherwise.
*/}}
{{- define "hubops.hubObject" -}}
{{- if and .Values.hubObject.enabled (or (eq .Values.watchNamespace "") (eq .Values.watchNamespace .Release.Namespace)) }}true{{ end }}
{{- end }}

{{/*
The token Secrets the operator may get, each by name in its namespace: the one of the chart's Hub
object (when rendered) and rbac.hubTokenSecrets. A dict keyed "namespace/name" (so a Secret listed
twice gets one Role), each value {namespace, name}.
*/}}
{{- define "hubops.tokenSecrets" -}}
{{- $secrets := dict }}
{{- if include "hubops.hubObject" . }}
{{- $name := include "hubops.tokenSecretName" . }}
{{- $_ := set $secrets (printf "%s/%s" .Release.Namespace $name) (dict "namespace" .Release.Namespace "name" $name) }}
{{- end }}
{{- range .Values.rbac.hubTokenSecrets }}
{{- $_ := set $secrets (printf "%s/%s" .namespace .name) (dict "namespace" .namespace "name" .name) }}
{{- end }}
{{- toJson $secrets }}
{{- end }}

{{/* Settings that cannot work together stop the install with one line. */}}
{{- define "hubops.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: replicas without a Lease would all reconcile" }}
{{- end }}
{{- $le := .Values.leaderElection }}
{{- if and (not (kindIs "invalid" $le.renewDeadlineSeconds)) (not (kindIs "invalid" $le.leaseDurationSeconds)) }}
{{- if ge (float64 $le.renewDeadlineSeconds) (float64 $le.leaseDurationSeconds) }}
{{- fail "leaderElection.renewDeadlineSeconds must be shorter than leaderElection.leaseDurationSeconds" }}
{{- end }}
{{- end }}
{{- if eq (int .Values.ports.metrics) (int .Values.ports.health) }}
{{- fail "ports.metrics and ports.health must differ" }}
{{- end }}
{{- if and .Values.hubTokens.enabled .Values.hubTokens.admissionPolicy (semverCompare "<1.30.0-0" .Capabilities.KubeVersion.Version) }}
{{- fail (printf "hubTokens.admissionPolicy needs Kubernetes 1.30 or newer (ValidatingAdmissionPolicy v1), this is %s: upgrade, or set hubTokens.admissionPolicy=false" .Capabilities.KubeVersion.Version) }}
{{- end }}
{{- end }}
